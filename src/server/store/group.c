/**
 * @file store/group.c  Skill groups and the service numbers routed to them
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include <re.h>
#include <time.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


static const char sql_group_add[] =
	"INSERT INTO skill_groups (app, name, strategy, ring_timeout_s,"
	" wrapup_s, max_wait_s, mask_numbers, max_queue_len, overflow_group,"
	" last_agent_first, service_level_s, ring_step_s, created)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char sql_group_update[] =
	"UPDATE skill_groups SET strategy = ?3, ring_timeout_s = ?4,"
	" wrapup_s = ?5, max_wait_s = ?6, mask_numbers = ?7,"
	" max_queue_len = ?8, overflow_group = ?9, last_agent_first = ?10,"
	" service_level_s = ?11, ring_step_s = ?12"
	" WHERE app = ?1 AND name = ?2";
static const char sql_group_get[] =
	"SELECT name, strategy, ring_timeout_s, wrapup_s, max_wait_s, created,"
	" mask_numbers, max_queue_len, overflow_group, last_agent_first,"
	" service_level_s, ring_step_s"
	" FROM skill_groups WHERE app = ?1 AND name = ?2";
static const char sql_group_delete[] =
	"DELETE FROM skill_groups WHERE app = ?1 AND name = ?2";
static const char sql_group_list[] =
	"SELECT name, strategy, ring_timeout_s, wrapup_s, max_wait_s, created,"
	" mask_numbers, max_queue_len, overflow_group, last_agent_first,"
	" service_level_s, ring_step_s"
	" FROM skill_groups WHERE app = ?1 ORDER BY name";

static const char sql_number_add[] =
	"INSERT INTO numbers (number, app, grp, created, ivr, priority)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_number_get[] =
	"SELECT number, grp, created, ivr, priority, app FROM numbers"
	" WHERE number = ?1";
static const char sql_number_delete[] =
	"DELETE FROM numbers WHERE app = ?1 AND number = ?2";
static const char sql_number_list[] =
	"SELECT number, grp, created, ivr, priority FROM numbers"
	" WHERE app = ?1"
	" ORDER BY number";

struct number_find {
	struct store_number *n;
	char *app;
	size_t appsz;
};

struct list_ctx {
	union {
		store_group_h *grouph;
		store_number_h *numberh;
	} u;
	void *arg;
};


static int group_write(struct store *st, const char *sql, const char *app,
		       const struct store_group *g, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !g || !store_arg_ok(app, STORE_ID_SZ) ||
	    !STORE_FIELD_SET(g->name) || !STORE_FIELD_OK(g->strategy) ||
	    !STORE_FIELD_OK(g->overflow_group))
		return EINVAL;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, g->name);
	err |= store_bind_str(stmt, 3, g->strategy);
	err |= store_bind_i64(stmt, 4, g->ring_timeout_s);
	err |= store_bind_i64(stmt, 5, g->wrapup_s);
	err |= store_bind_i64(stmt, 6, g->max_wait_s);
	err |= store_bind_i64(stmt, 7, g->mask_numbers ? 1 : 0);
	err |= store_bind_i64(stmt, 8, g->max_queue_len);
	err |= store_bind_str(stmt, 9, g->overflow_group);
	err |= store_bind_i64(stmt, 10, g->last_agent_first ? 1 : 0);
	err |= store_bind_i64(stmt, 11, g->service_level_s);
	err |= store_bind_i64(stmt, 12, g->ring_step_s);
	if (sql == sql_group_add)
		err |= store_bind_i64(stmt, 13, g->created ? g->created
				      : (int64_t)time(NULL));
	if (err)
		goto out;

	err = store_exec_done(st, stmt, what);
	if (!err && sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	if (!err)
		store_member_changed(st, app, g->name);
	return err;
}


/**
 * Add a skill group to an application
 *
 * @return 0 if success, EEXIST if the name is taken, ENOENT if the
 *         application is unknown, otherwise errorcode
 */
int store_group_add(struct store *st, const char *app,
		    const struct store_group *g)
{
	return group_write(st, sql_group_add, app, g, "group add");
}


/**
 * Replace the settings of a skill group (not its name or created): the
 * strategy, the timers and mask_numbers
 *
 * @return 0 if success, ENOENT if unknown, otherwise errorcode
 */
int store_group_update(struct store *st, const char *app,
		       const struct store_group *g)
{
	return group_write(st, sql_group_update, app, g, "group update");
}


static int group_row(sqlite3_stmt *stmt, struct store_group *g)
{
	int err;

	err  = store_col_str(stmt, 0, g->name, sizeof(g->name));
	err |= store_col_str(stmt, 1, g->strategy, sizeof(g->strategy));
	g->ring_timeout_s = (uint32_t)sqlite3_column_int64(stmt, 2);
	g->wrapup_s       = (uint32_t)sqlite3_column_int64(stmt, 3);
	g->max_wait_s     = (uint32_t)sqlite3_column_int64(stmt, 4);
	g->created        = sqlite3_column_int64(stmt, 5);
	g->mask_numbers   = sqlite3_column_int(stmt, 6) != 0;
	g->max_queue_len  = (uint32_t)sqlite3_column_int64(stmt, 7);
	err |= store_col_str(stmt, 8, g->overflow_group,
			     sizeof(g->overflow_group));
	g->last_agent_first = sqlite3_column_int(stmt, 9) != 0;
	g->service_level_s  = (uint32_t)sqlite3_column_int64(stmt, 10);
	g->ring_step_s      = (uint32_t)sqlite3_column_int64(stmt, 11);

	return err ? EIO : 0;
}


static int group_get_handler(sqlite3_stmt *stmt, void *arg)
{
	return group_row(stmt, arg);
}


int store_group_get(struct store *st, const char *app, const char *name,
		    struct store_group *g)
{
	const char *argv[2] = {app, name};
	size_t n = 0;
	int err;

	if (!st || !g || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(name, STORE_NAME_SZ))
		return EINVAL;

	err = store_query(st, sql_group_get, argv, 2, group_get_handler, g,
			  &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


/**
 * Delete a skill group and its memberships
 *
 * @return 0 if success, ENOENT if unknown, EBUSY if a service number
 *         still routes to it, otherwise errorcode
 */
int store_group_delete(struct store *st, const char *app, const char *name)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(name, STORE_NAME_SZ))
		return EINVAL;

	err = store_stmt_get(st, sql_group_delete, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, name);
	if (err)
		goto out;

	/* The numbers' RESTRICT foreign key is what refuses the delete;
	 * SQLite reports RESTRICT as SQLITE_CONSTRAINT_TRIGGER. */
	rc = sqlite3_step(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		err = EBUSY;
	else if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "group delete");
	else if (sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	if (!err)
		store_member_changed(st, app, name);
	return err;
}


static int group_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct list_ctx *ctx = arg;
	struct store_group g;
	int err;

	err = group_row(stmt, &g);
	if (err)
		return err;

	ctx->u.grouph(&g, ctx->arg);
	return 0;
}


int store_group_list(struct store *st, const char *app, store_group_h *h,
		     void *arg)
{
	struct list_ctx ctx;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	ctx.u.grouph = h;
	ctx.arg = arg;

	return store_query(st, sql_group_list, &app, 1, group_list_handler,
			   &ctx, NULL);
}


/**
 * Add a service number, unique across the server.  An empty group means
 * the number routes nowhere yet (e.g. used only as a caller id).
 *
 * @return 0 if success, EEXIST if the number is taken, ENOENT if the
 *         application or the group is unknown, otherwise errorcode
 */
int store_number_add(struct store *st, const char *app,
		     const struct store_number *n)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !n || !store_arg_ok(app, STORE_ID_SZ) ||
	    !STORE_FIELD_SET(n->number) || !STORE_FIELD_OK(n->group) ||
	    !STORE_FIELD_OK(n->ivr))
		return EINVAL;

	err = store_stmt_get(st, sql_number_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, n->number);
	err |= store_bind_str(stmt, 2, app);
	err |= store_bind_opt(stmt, 3, n->group);
	err |= store_bind_i64(stmt, 4, n->created ? n->created
			      : (int64_t)time(NULL));
	err |= store_bind_str(stmt, 5, n->ivr);
	err |= store_bind_i64(stmt, 6, n->priority);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "number add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int number_row(sqlite3_stmt *stmt, struct store_number *n)
{
	int err;

	err  = store_col_str(stmt, 0, n->number, sizeof(n->number));
	err |= store_col_str(stmt, 1, n->group, sizeof(n->group));
	n->created = sqlite3_column_int64(stmt, 2);
	err |= store_col_str(stmt, 3, n->ivr, sizeof(n->ivr));
	n->priority = sqlite3_column_int(stmt, 4);

	return err ? EIO : 0;
}


static int number_find_handler(sqlite3_stmt *stmt, void *arg)
{
	struct number_find *f = arg;
	int err;

	err = number_row(stmt, f->n);
	if (err)
		return err;

	return store_col_str(stmt, 5, f->app, f->appsz) ? ENOBUFS : 0;
}


/**
 * Find a service number, across all applications
 *
 * @param st     Store
 * @param number Number
 * @param app    Buffer for its SdkAppId
 * @param appsz  Size of app; ENOBUFS if the id does not fit
 * @param n      Number found
 *
 * @return 0 if success, ENOENT if unknown, otherwise errorcode
 */
int store_number_get(struct store *st, const char *number, char *app,
		     size_t appsz, struct store_number *n)
{
	struct number_find f = {n, app, appsz};
	size_t cnt = 0;
	int err;

	if (!st || !n || !app || !appsz ||
	    !store_arg_ok(number, STORE_NUMBER_SZ))
		return EINVAL;

	err = store_query(st, sql_number_get, &number, 1,
			  number_find_handler, &f, &cnt);
	if (!err && cnt == 0)
		err = ENOENT;

	return err;
}


int store_number_delete(struct store *st, const char *app,
			const char *number)
{
	const char *argv[2] = {app, number};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(number, STORE_NUMBER_SZ))
		return EINVAL;

	return store_change(st, sql_number_delete, argv, 2, "number delete");
}


static int number_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct list_ctx *ctx = arg;
	struct store_number n;
	int err;

	err = number_row(stmt, &n);
	if (err)
		return err;

	ctx->u.numberh(&n, ctx->arg);
	return 0;
}


int store_number_list(struct store *st, const char *app, store_number_h *h,
		      void *arg)
{
	struct list_ctx ctx;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	ctx.u.numberh = h;
	ctx.arg = arg;

	return store_query(st, sql_number_list, &app, 1, number_list_handler,
			   &ctx, NULL);
}
