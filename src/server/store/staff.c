/**
 * @file store/staff.c  Staff (agents) and their skill-group memberships
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include <re.h>
#include <time.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	LEVEL_MIN = 1,
	LEVEL_MAX = 5,
};

static const char sql_staff_add[] =
	"INSERT INTO staff (app, user_id, name, phone, extension, ha1,"
	" created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_staff_update[] =
	"UPDATE staff SET name = ?3, phone = ?4, extension = ?5, ha1 = ?6"
	" WHERE app = ?1 AND user_id = ?2";
static const char sql_staff_get[] =
	"SELECT user_id, name, phone, extension, ha1, created"
	" FROM staff WHERE app = ?1 AND user_id = ?2";
static const char sql_staff_by_ext[] =
	"SELECT user_id, name, phone, extension, ha1, created, app"
	" FROM staff WHERE extension = ?1";
static const char sql_staff_delete[] =
	"DELETE FROM staff WHERE app = ?1 AND user_id = ?2";
static const char sql_staff_list[] =
	"SELECT user_id, name, phone, extension, ha1, created"
	" FROM staff WHERE app = ?1 ORDER BY user_id";

static const char sql_member_add[] =
	"INSERT INTO members (app, user_id, grp, level)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char sql_member_delete[] =
	"DELETE FROM members WHERE app = ?1 AND user_id = ?2 AND grp = ?3";
static const char sql_member_by_user[] =
	"SELECT user_id, grp, level FROM members"
	" WHERE app = ?1 AND user_id = ?2 ORDER BY grp";
static const char sql_member_by_group[] =
	"SELECT user_id, grp, level FROM members"
	" WHERE app = ?1 AND grp = ?2 ORDER BY user_id";

struct staff_find {
	struct store_staff *s;
	char *app;
	size_t appsz;
};

struct list_ctx {
	union {
		store_staff_h *staffh;
		store_member_h *memberh;
	} u;
	void *arg;
};


static bool staff_valid(const struct store_staff *s)
{
	return STORE_FIELD_SET(s->user_id) &&
		STORE_FIELD_OK(s->name) &&
		STORE_FIELD_OK(s->phone) &&
		STORE_FIELD_OK(s->extension) &&
		STORE_FIELD_OK(s->ha1);
}


static int staff_write(struct store *st, const char *sql, const char *app,
		       const struct store_staff *s, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int64_t created;
	int err;

	if (!st || !s || !store_arg_ok(app, STORE_ID_SZ) || !staff_valid(s))
		return EINVAL;

	created = s->created ? s->created : (int64_t)time(NULL);

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, s->user_id);
	err |= store_bind_str(stmt, 3, s->name);
	err |= store_bind_str(stmt, 4, s->phone);
	err |= store_bind_opt(stmt, 5, s->extension);
	err |= store_bind_str(stmt, 6, s->ha1);
	if (sql == sql_staff_add)
		err |= store_bind_i64(stmt, 7, created);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, what);
	if (!err && sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Add a staff member to an application
 *
 * @param st  Store
 * @param app SdkAppId
 * @param s   Staff member; created 0 means now
 *
 * @return 0 if success, EEXIST if the user id or the extension is taken,
 *         ENOENT if the application is unknown, otherwise errorcode
 */
int store_staff_add(struct store *st, const char *app,
		    const struct store_staff *s)
{
	return staff_write(st, sql_staff_add, app, s, "staff add");
}


/**
 * Replace name, phone, extension and ha1 of a staff member (not created)
 *
 * @return 0 if success, ENOENT if unknown, EEXIST if the extension is
 *         taken, otherwise errorcode
 */
int store_staff_update(struct store *st, const char *app,
		       const struct store_staff *s)
{
	return staff_write(st, sql_staff_update, app, s, "staff update");
}


static int staff_row(sqlite3_stmt *stmt, struct store_staff *s)
{
	int err;

	err  = store_col_str(stmt, 0, s->user_id, sizeof(s->user_id));
	err |= store_col_str(stmt, 1, s->name, sizeof(s->name));
	err |= store_col_str(stmt, 2, s->phone, sizeof(s->phone));
	err |= store_col_str(stmt, 3, s->extension, sizeof(s->extension));
	err |= store_col_str(stmt, 4, s->ha1, sizeof(s->ha1));
	s->created = sqlite3_column_int64(stmt, 5);

	return err ? EIO : 0;
}


static int staff_find_handler(sqlite3_stmt *stmt, void *arg)
{
	struct staff_find *f = arg;
	int err;

	err = staff_row(stmt, f->s);
	if (err || !f->app)
		return err;

	return store_col_str(stmt, 6, f->app, f->appsz) ? ENOBUFS : 0;
}


int store_staff_get(struct store *st, const char *app, const char *user_id,
		    struct store_staff *s)
{
	struct staff_find f = {s, NULL, 0};
	const char *argv[2] = {app, user_id};
	size_t n = 0;
	int err;

	if (!st || !s || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	err = store_query(st, sql_staff_get, argv, 2, staff_find_handler, &f,
			  &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


/**
 * Find a staff member by extension, across all applications
 *
 * @param st        Store
 * @param extension Extension (not empty)
 * @param app       Buffer for the member's SdkAppId
 * @param appsz     Size of app; ENOBUFS if the id does not fit
 * @param s         Staff member found
 *
 * @return 0 if success, ENOENT if no one has it, otherwise errorcode
 */
int store_staff_by_extension(struct store *st, const char *extension,
			     char *app, size_t appsz, struct store_staff *s)
{
	struct staff_find f = {s, app, appsz};
	size_t n = 0;
	int err;

	if (!st || !s || !app || !appsz ||
	    !store_arg_ok(extension, STORE_NUMBER_SZ))
		return EINVAL;

	err = store_query(st, sql_staff_by_ext, &extension, 1,
			  staff_find_handler, &f, &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


/**
 * Delete a staff member; their memberships, registration, tokens and SIP
 * credentials go with them (foreign keys cascade).
 *
 * @return 0 if success, ENOENT if unknown, otherwise errorcode
 */
int store_staff_delete(struct store *st, const char *app,
		       const char *user_id)
{
	const char *argv[2] = {app, user_id};
	int err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	err = store_change(st, sql_staff_delete, argv, 2, "staff delete");
	if (!err)
		store_member_changed(st, app, NULL);

	return err;
}


static int staff_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct list_ctx *ctx = arg;
	struct store_staff s;
	int err;

	err = staff_row(stmt, &s);
	if (err)
		return err;

	ctx->u.staffh(&s, ctx->arg);
	return 0;
}


int store_staff_list(struct store *st, const char *app, store_staff_h *h,
		     void *arg)
{
	struct list_ctx ctx;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	ctx.u.staffh = h;
	ctx.arg = arg;

	return store_query(st, sql_staff_list, &app, 1, staff_list_handler,
			   &ctx, NULL);
}


/**
 * Put a staff member in a skill group
 *
 * @return 0 if success, ENOENT if the user or the group is unknown,
 *         EEXIST if already a member, EINVAL if level is not 1..5,
 *         otherwise errorcode
 */
int store_member_add(struct store *st, const char *app,
		     const struct store_member *m)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !m || !store_arg_ok(app, STORE_ID_SZ) ||
	    !STORE_FIELD_SET(m->user_id) || !STORE_FIELD_SET(m->group) ||
	    m->level < LEVEL_MIN || m->level > LEVEL_MAX)
		return EINVAL;

	err = store_stmt_get(st, sql_member_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, m->user_id);
	err |= store_bind_str(stmt, 3, m->group);
	err |= store_bind_i64(stmt, 4, m->level);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "member add");

 out:
	store_stmt_put(st, stmt);
	if (!err)
		store_member_changed(st, app, m->group);
	return err;
}


/**
 * Take a staff member out of a skill group
 *
 * @return 0 if success, ENOENT if not a member, otherwise errorcode
 */
int store_member_delete(struct store *st, const char *app,
			const char *user_id, const char *group)
{
	const char *argv[3] = {app, user_id, group};
	int err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ) ||
	    !store_arg_ok(group, STORE_NAME_SZ))
		return EINVAL;

	err = store_change(st, sql_member_delete, argv, 3, "member delete");
	if (!err)
		store_member_changed(st, app, group);

	return err;
}


static int member_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct list_ctx *ctx = arg;
	struct store_member m;
	int err;

	err  = store_col_str(stmt, 0, m.user_id, sizeof(m.user_id));
	err |= store_col_str(stmt, 1, m.group, sizeof(m.group));
	if (err)
		return EIO;

	m.level = (uint32_t)sqlite3_column_int64(stmt, 2);

	ctx->u.memberh(&m, ctx->arg);
	return 0;
}


int store_member_list_by_user(struct store *st, const char *app,
			      const char *user_id, store_member_h *h,
			      void *arg)
{
	const char *argv[2] = {app, user_id};
	struct list_ctx ctx;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	ctx.u.memberh = h;
	ctx.arg = arg;

	return store_query(st, sql_member_by_user, argv, 2,
			   member_list_handler, &ctx, NULL);
}


int store_member_list_by_group(struct store *st, const char *app,
			       const char *group, store_member_h *h,
			       void *arg)
{
	const char *argv[2] = {app, group};
	struct list_ctx ctx;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(group, STORE_NAME_SZ))
		return EINVAL;

	ctx.u.memberh = h;
	ctx.arg = arg;

	return store_query(st, sql_member_by_group, argv, 2,
			   member_list_handler, &ctx, NULL);
}
