/**
 * @file store/agent.c  Agent statuses: the state now and every change
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the ACD owns the statuses and writes each change here as it
 * happens, the new state and the history row in one transaction, so that
 * a restart finds the state the history ends with.  Time-in-status
 * reports are computed from the history alone: the status at the start of
 * the window is the last change before it.
 */

#include <re.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	LOG_LIMIT_DEFAULT = 1000,
};

static const char sql_state_set[] =
	"INSERT OR REPLACE INTO agent_states (app, user_id, status, reason,"
	" since_ms, pending, pending_reason)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_state_list[] =
	"SELECT app, user_id, status, reason, since_ms, pending,"
	" pending_reason FROM agent_states ORDER BY app, user_id";
static const char sql_log_add[] =
	"INSERT INTO agent_status_log (app, user_id, from_status, to_status,"
	" reason, actor, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_log_list[] =
	"SELECT id, app, user_id, from_status, to_status, reason, actor, at_ms"
	" FROM agent_status_log WHERE app = ?1"
	" AND (?2 IS NULL OR user_id = ?2) AND at_ms >= ?3 AND at_ms < ?4"
	" ORDER BY at_ms, id LIMIT ?5";
static const char sql_log_before[] =
	"SELECT to_status FROM agent_status_log WHERE app = ?1"
	" AND user_id = ?2 AND at_ms < ?3 ORDER BY at_ms DESC, id DESC"
	" LIMIT 1";
static const char sql_last_agent[] =
	"SELECT agent FROM cdrs WHERE app = ?1 AND caller = ?2"
	" AND answered_ms > 0 AND agent != '' ORDER BY ended_ms DESC LIMIT 1";
static const char sql_rest_get[] =
	"SELECT rest_reasons FROM apps WHERE sdk_app_id = ?1";
static const char sql_rest_set[] =
	"UPDATE apps SET rest_reasons = ?2 WHERE sdk_app_id = ?1";


static bool state_valid(const struct store_agent_state *s)
{
	return STORE_FIELD_SET(s->sdk_app_id) && STORE_FIELD_SET(s->user_id) &&
		STORE_FIELD_SET(s->status) && STORE_FIELD_OK(s->reason) &&
		STORE_FIELD_OK(s->pending) &&
		STORE_FIELD_OK(s->pending_reason);
}


static bool change_valid(const struct store_status_change *c)
{
	return STORE_FIELD_SET(c->sdk_app_id) && STORE_FIELD_SET(c->user_id) &&
		STORE_FIELD_OK(c->from) && STORE_FIELD_SET(c->to) &&
		STORE_FIELD_OK(c->reason) && STORE_FIELD_OK(c->actor);
}


static int state_write(struct store *st, const struct store_agent_state *s)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql_state_set, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, s->sdk_app_id);
	err |= store_bind_str(stmt, 2, s->user_id);
	err |= store_bind_str(stmt, 3, s->status);
	err |= store_bind_str(stmt, 4, s->reason);
	err |= store_bind_i64(stmt, 5, s->since_ms);
	err |= store_bind_str(stmt, 6, s->pending);
	err |= store_bind_str(stmt, 7, s->pending_reason);
	if (!err)
		err = store_exec_done(st, stmt, "agent state");

	store_stmt_put(st, stmt);
	return err;
}


static int history_write(struct store *st, const struct store_status_change *c)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql_log_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, c->sdk_app_id);
	err |= store_bind_str(stmt, 2, c->user_id);
	err |= store_bind_str(stmt, 3, c->from);
	err |= store_bind_str(stmt, 4, c->to);
	err |= store_bind_str(stmt, 5, c->reason);
	err |= store_bind_str(stmt, 6, c->actor);
	err |= store_bind_i64(stmt, 7, c->at_ms);
	if (!err)
		err = store_exec_done(st, stmt, "status log");

	store_stmt_put(st, stmt);
	return err;
}


/**
 * Store an agent's state, and the change that led to it when c is set,
 * in one transaction
 *
 * @return 0 if success, EINVAL for bad fields, ENOENT if the staff member
 *         does not exist, otherwise errorcode
 */
int store_agent_state_set(struct store *st,
			  const struct store_agent_state *s,
			  const struct store_status_change *c)
{
	int err;

	if (!st || !s || !state_valid(s) || (c && !change_valid(c)))
		return EINVAL;

	err = store_begin(st);
	if (err)
		return err;

	err = state_write(st, s);
	if (err == EEXIST)
		err = ENOENT;   /* the foreign key: no such staff member */
	if (!err && c)
		err = history_write(st, c);

	return store_end(st, err);
}


struct row_ctx {
	union {
		store_agent_state_h *stateh;
		store_status_change_h *changeh;
	} u;
	void *arg;
};


static int state_row_handler(sqlite3_stmt *stmt, void *arg)
{
	struct row_ctx *ctx = arg;
	struct store_agent_state s;
	int err;

	memset(&s, 0, sizeof(s));
	err  = store_col_str(stmt, 0, s.sdk_app_id, sizeof(s.sdk_app_id));
	err |= store_col_str(stmt, 1, s.user_id, sizeof(s.user_id));
	err |= store_col_str(stmt, 2, s.status, sizeof(s.status));
	err |= store_col_str(stmt, 3, s.reason, sizeof(s.reason));
	s.since_ms = sqlite3_column_int64(stmt, 4);
	err |= store_col_str(stmt, 5, s.pending, sizeof(s.pending));
	err |= store_col_str(stmt, 6, s.pending_reason,
			     sizeof(s.pending_reason));
	if (err)
		return EIO;

	ctx->u.stateh(&s, ctx->arg);
	return 0;
}


/**
 * List the stored state of every agent of every application
 */
int store_agent_state_list(struct store *st, store_agent_state_h *h,
			   void *arg)
{
	struct row_ctx ctx;

	if (!st || !h)
		return EINVAL;

	ctx.u.stateh = h;
	ctx.arg = arg;

	return store_query(st, sql_state_list, NULL, 0, state_row_handler,
			   &ctx, NULL);
}


static int change_row(sqlite3_stmt *stmt, struct store_status_change *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(stmt, 0);
	err  = store_col_str(stmt, 1, c->sdk_app_id, sizeof(c->sdk_app_id));
	err |= store_col_str(stmt, 2, c->user_id, sizeof(c->user_id));
	err |= store_col_str(stmt, 3, c->from, sizeof(c->from));
	err |= store_col_str(stmt, 4, c->to, sizeof(c->to));
	err |= store_col_str(stmt, 5, c->reason, sizeof(c->reason));
	err |= store_col_str(stmt, 6, c->actor, sizeof(c->actor));
	c->at_ms = sqlite3_column_int64(stmt, 7);

	return err ? EIO : 0;
}


/* Walk the history of one user, or all, in [from_ms, to_ms) */
static int log_walk(struct store *st, const char *app, const char *user_id,
		    int64_t from_ms, int64_t to_ms, uint32_t limit,
		    store_status_change_h *h, void *arg)
{
	struct store_status_change c;
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = store_stmt_get(st, sql_log_list, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_opt(stmt, 2, user_id);
	err |= store_bind_i64(stmt, 3, from_ms);
	err |= store_bind_i64(stmt, 4, to_ms);
	err |= store_bind_i64(stmt, 5, limit);
	if (err)
		goto out;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = change_row(stmt, &c);
		if (err)
			goto out;
		h(&c, arg);
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "status log");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * List the status changes of one agent (or of all, user_id NULL) with
 * from_ms <= at_ms < to_ms, oldest first, at most limit (0: 1000)
 */
int store_status_log_list(struct store *st, const char *app,
			  const char *user_id, int64_t from_ms,
			  int64_t to_ms, uint32_t limit,
			  store_status_change_h *h, void *arg)
{
	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ) ||
	    (user_id && !store_arg_ok(user_id, STORE_ID_SZ)))
		return EINVAL;

	return log_walk(st, app, user_id, from_ms, to_ms,
			limit ? limit : LOG_LIMIT_DEFAULT, h, arg);
}


struct time_ctx {
	const char *const *names;
	size_t namec;
	uint64_t *msv;
	char status[16];     /* the status since at_ms */
	int64_t at_ms;
};


static void time_add(struct time_ctx *ctx, int64_t until_ms)
{
	for (size_t i = 0; i < ctx->namec; i++) {
		if (ctx->status[0] && 0 == strcmp(ctx->names[i], ctx->status)) {
			if (until_ms > ctx->at_ms)
				ctx->msv[i] += (uint64_t)(until_ms -
							  ctx->at_ms);
			return;
		}
	}
}


static void time_change_handler(const struct store_status_change *c,
				void *arg)
{
	struct time_ctx *ctx = arg;

	time_add(ctx, c->at_ms);
	str_ncpy(ctx->status, c->to, sizeof(ctx->status));
	ctx->at_ms = c->at_ms;
}


static int status_before(struct store *st, const char *app,
			 const char *user_id, int64_t at_ms, char *buf,
			 size_t sz)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	buf[0] = '\0';

	err = store_stmt_get(st, sql_log_before, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, user_id);
	err |= store_bind_i64(stmt, 3, at_ms);
	if (err)
		goto out;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = store_col_str(stmt, 0, buf, sz);
	else if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "status before");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Add up the time one agent spent in each of names[] between from_ms and
 * to_ms, from the history (msv[i] += ms in names[i])
 */
int store_status_time(struct store *st, const char *app,
		      const char *user_id, int64_t from_ms, int64_t to_ms,
		      const char *const *names, size_t namec, uint64_t *msv)
{
	struct time_ctx ctx;
	int err;

	if (!st || !names || !msv || to_ms < from_ms ||
	    !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.names = names;
	ctx.namec = namec;
	ctx.msv = msv;
	ctx.at_ms = from_ms;

	err = status_before(st, app, user_id, from_ms, ctx.status,
			    sizeof(ctx.status));
	if (err)
		return err;

	err = log_walk(st, app, user_id, from_ms, to_ms, UINT32_MAX,
		       time_change_handler, &ctx);
	if (err)
		return err;

	time_add(&ctx, to_ms);

	return 0;
}


static int one_str_handler(sqlite3_stmt *stmt, void *arg)
{
	struct pl *out = arg;

	return store_col_str(stmt, 0, (char *)out->p, out->l);
}


/**
 * The agent who last answered a call from this caller
 *
 * @return 0 if found, ENOENT if none, otherwise errorcode
 */
int store_cdr_last_agent(struct store *st, const char *app,
			 const char *caller, char *agent, size_t sz)
{
	const char *argv[] = {app, caller};
	struct pl out;
	size_t n = 0;
	int err;

	if (!st || !agent || !sz || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(caller, STORE_NUMBER_SZ * 2))
		return EINVAL;

	agent[0] = '\0';
	out.p = agent;
	out.l = sz;

	err = store_query(st, sql_last_agent, argv, ARRAY_SIZE(argv),
			  one_str_handler, &out, &n);
	if (err)
		return err;

	return n ? 0 : ENOENT;
}


/**
 * The rest reasons of an application, comma-separated
 */
int store_rest_reasons_get(struct store *st, const char *app, char *buf,
			   size_t sz)
{
	const char *argv[] = {app};
	struct pl out;
	size_t n = 0;
	int err;

	if (!st || !buf || !sz || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	buf[0] = '\0';
	out.p = buf;
	out.l = sz;

	err = store_query(st, sql_rest_get, argv, ARRAY_SIZE(argv),
			  one_str_handler, &out, &n);
	if (err)
		return err;

	return n ? 0 : ENOENT;
}


/**
 * Replace the rest reasons of an application (comma-separated, each a
 * non-empty name; the caller checks the names)
 *
 * @return 0 if success, ENOENT if the application is unknown
 */
int store_rest_reasons_set(struct store *st, const char *app,
			   const char *csv)
{
	const char *argv[] = {app, csv};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(csv, STORE_REST_REASONS_SZ))
		return EINVAL;

	return store_change(st, sql_rest_set, argv, ARRAY_SIZE(argv),
			    "rest reasons");
}
