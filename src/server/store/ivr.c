/**
 * @file store/ivr.c  IVR menus of an application
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The store keeps a menu's spec as the text it was given; what the text
 * must say is ivr/menu.c's business, checked before it gets here.
 */

#include <re.h>
#include <time.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


static const char sql_ivr_update[] =
	"UPDATE ivr_menus SET spec = ?3 WHERE app = ?1 AND name = ?2";
static const char sql_ivr_insert[] =
	"INSERT INTO ivr_menus (app, name, spec, created)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char sql_ivr_get[] =
	"SELECT name, spec, created FROM ivr_menus"
	" WHERE app = ?1 AND name = ?2";
static const char sql_ivr_delete[] =
	"DELETE FROM ivr_menus WHERE app = ?1 AND name = ?2";
static const char sql_ivr_list[] =
	"SELECT name, spec, created FROM ivr_menus WHERE app = ?1"
	" ORDER BY name";
static const char sql_ivr_using[] =
	"SELECT count(*) FROM numbers WHERE app = ?1 AND ivr = ?2";

struct ivr_list {
	store_ivr_h *h;
	void *arg;
};


static int ivr_write(struct store *st, const char *sql, const char *app,
		     const struct store_ivr *m)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, m->name);
	err |= store_bind_str(stmt, 3, m->spec);
	if (sql == sql_ivr_insert)
		err |= store_bind_i64(stmt, 4, m->created ? m->created :
				      (int64_t)time(NULL));
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "ivr set");
	if (!err && sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Add an IVR menu or replace the spec of the one with that name
 *
 * @param st       Store
 * @param app      SdkAppId
 * @param m        Menu (name and spec must be set)
 * @param createdp Set to true if the menu is new (may be NULL)
 *
 * @return 0 if success, ENOENT if the application is unknown, otherwise
 *         errorcode
 */
int store_ivr_set(struct store *st, const char *app,
		  const struct store_ivr *m, bool *createdp)
{
	bool created = false;
	int err;

	if (!st || !m || !store_arg_ok(app, STORE_ID_SZ) ||
	    !STORE_FIELD_SET(m->name) || !STORE_FIELD_SET(m->spec))
		return EINVAL;

	err = store_begin(st);
	if (err)
		return err;

	err = ivr_write(st, sql_ivr_update, app, m);
	if (err == ENOENT) {
		created = true;
		err = ivr_write(st, sql_ivr_insert, app, m);
		/* the apps foreign key */
		if (err == EEXIST)
			err = ENOENT;
	}

	err = store_end(st, err);
	if (!err && createdp)
		*createdp = created;

	return err;
}


static int ivr_row(sqlite3_stmt *stmt, struct store_ivr *m)
{
	int err;

	err  = store_col_str(stmt, 0, m->name, sizeof(m->name));
	err |= store_col_str(stmt, 1, m->spec, sizeof(m->spec));
	m->created = sqlite3_column_int64(stmt, 2);

	return err ? EIO : 0;
}


static int ivr_get_handler(sqlite3_stmt *stmt, void *arg)
{
	return ivr_row(stmt, arg);
}


/**
 * Get one IVR menu
 *
 * @return 0 if success, ENOENT if unknown, otherwise errorcode
 */
int store_ivr_get(struct store *st, const char *app, const char *name,
		  struct store_ivr *m)
{
	const char *argv[2] = {app, name};
	size_t cnt = 0;
	int err;

	if (!st || !m || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(name, STORE_NAME_SZ))
		return EINVAL;

	err = store_query(st, sql_ivr_get, argv, 2, ivr_get_handler, m,
			  &cnt);
	if (!err && cnt == 0)
		err = ENOENT;

	return err;
}


static int count_handler(sqlite3_stmt *stmt, void *arg)
{
	uint32_t *countp = arg;

	*countp = (uint32_t)sqlite3_column_int64(stmt, 0);
	return 0;
}


/**
 * Count the service numbers whose calls go to an IVR menu
 *
 * @return 0 if success, otherwise errorcode
 */
int store_ivr_numbers_using(struct store *st, const char *app,
			    const char *name, uint32_t *countp)
{
	const char *argv[2] = {app, name};

	if (!st || !countp || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(name, STORE_NAME_SZ))
		return EINVAL;

	*countp = 0;
	return store_query(st, sql_ivr_using, argv, 2, count_handler, countp,
			   NULL);
}


/**
 * Delete an IVR menu no number uses
 *
 * @return 0 if success, ENOENT if unknown, EBUSY if a number uses it,
 *         otherwise errorcode
 */
int store_ivr_delete(struct store *st, const char *app, const char *name)
{
	const char *argv[2] = {app, name};
	uint32_t users = 0;
	int err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(name, STORE_NAME_SZ))
		return EINVAL;

	/* One transaction: no number may take the menu in between. */
	err = store_begin(st);
	if (err)
		return err;

	err = store_ivr_numbers_using(st, app, name, &users);
	if (!err && users)
		err = EBUSY;
	if (!err)
		err = store_change(st, sql_ivr_delete, argv, 2, "ivr delete");

	return store_end(st, err);
}


static int ivr_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct ivr_list *l = arg;
	struct store_ivr m;
	int err;

	err = ivr_row(stmt, &m);
	if (err)
		return err;

	l->h(&m, l->arg);
	return 0;
}


int store_ivr_list(struct store *st, const char *app, store_ivr_h *h,
		   void *arg)
{
	struct ivr_list l = {h, arg};

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	return store_query(st, sql_ivr_list, &app, 1, ivr_list_handler, &l,
			   NULL);
}
