/**
 * @file store/cdr.c  Call detail records
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include <re.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	CDR_LIMIT_DEFAULT = 100,
};

static const char sql_cdr_add[] =
	"INSERT INTO cdrs (session_id, app, direction, caller, callee, grp,"
	" agent, offered_ms, queued_ms, ringing_ms, answered_ms, ended_ms,"
	" start_ms, end_status, hangup_side, end_scode, uui, remark,"
	" duration_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	" ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
static const char sql_cdr_list[] =
	"SELECT session_id, app, direction, caller, callee, grp, agent,"
	" offered_ms, queued_ms, ringing_ms, answered_ms, ended_ms,"
	" end_status, hangup_side, end_scode, uui, remark, duration_s"
	" FROM cdrs WHERE app = ?1 ORDER BY start_ms DESC, rowid DESC"
	" LIMIT ?2";
static const char sql_cdr_list_agent[] =
	"SELECT session_id, app, direction, caller, callee, grp, agent,"
	" offered_ms, queued_ms, ringing_ms, answered_ms, ended_ms,"
	" end_status, hangup_side, end_scode, uui, remark, duration_s"
	" FROM cdrs WHERE app = ?1 AND agent = ?3"
	" ORDER BY start_ms DESC, rowid DESC LIMIT ?2";


static bool cdr_valid(const struct store_cdr *c)
{
	return STORE_FIELD_SET(c->session_id) &&
		STORE_FIELD_SET(c->sdk_app_id) &&
		(c->direction == STORE_DIR_INBOUND ||
		 c->direction == STORE_DIR_OUTBOUND) &&
		STORE_FIELD_OK(c->caller) &&
		STORE_FIELD_OK(c->callee) &&
		STORE_FIELD_OK(c->group) &&
		STORE_FIELD_OK(c->agent) &&
		STORE_FIELD_OK(c->end_status) &&
		STORE_FIELD_OK(c->hangup_side) &&
		STORE_FIELD_OK(c->uui) &&
		STORE_FIELD_OK(c->remark);
}


/* The first stage the call reached orders the list: an outbound call
 * has no offered/queued stage. */
static int64_t cdr_start_ms(const struct store_cdr *c)
{
	const int64_t stagev[] = {c->offered_ms, c->queued_ms, c->ringing_ms,
				  c->answered_ms, c->ended_ms};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stagev); i++) {
		if (stagev[i])
			return stagev[i];
	}

	return 0;
}


/**
 * Add a call detail record
 *
 * @return 0 if success, EEXIST if the session id exists, otherwise
 *         errorcode
 */
int store_cdr_add(struct store *st, const struct store_cdr *c)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !c || !cdr_valid(c))
		return EINVAL;

	err = store_stmt_get(st, sql_cdr_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, c->session_id);
	err |= store_bind_str(stmt, 2, c->sdk_app_id);
	err |= store_bind_i64(stmt, 3, c->direction);
	err |= store_bind_str(stmt, 4, c->caller);
	err |= store_bind_str(stmt, 5, c->callee);
	err |= store_bind_str(stmt, 6, c->group);
	err |= store_bind_str(stmt, 7, c->agent);
	err |= store_bind_i64(stmt, 8, c->offered_ms);
	err |= store_bind_i64(stmt, 9, c->queued_ms);
	err |= store_bind_i64(stmt, 10, c->ringing_ms);
	err |= store_bind_i64(stmt, 11, c->answered_ms);
	err |= store_bind_i64(stmt, 12, c->ended_ms);
	err |= store_bind_i64(stmt, 13, cdr_start_ms(c));
	err |= store_bind_str(stmt, 14, c->end_status);
	err |= store_bind_str(stmt, 15, c->hangup_side);
	err |= store_bind_i64(stmt, 16, c->end_scode);
	err |= store_bind_str(stmt, 17, c->uui);
	err |= store_bind_str(stmt, 18, c->remark);
	err |= store_bind_i64(stmt, 19, c->duration_s);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "cdr add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int cdr_row(sqlite3_stmt *stmt, struct store_cdr *c)
{
	int err;

	err  = store_col_str(stmt, 0, c->session_id, sizeof(c->session_id));
	err |= store_col_str(stmt, 1, c->sdk_app_id, sizeof(c->sdk_app_id));
	c->direction = sqlite3_column_int(stmt, 2) == STORE_DIR_OUTBOUND
		? STORE_DIR_OUTBOUND : STORE_DIR_INBOUND;
	err |= store_col_str(stmt, 3, c->caller, sizeof(c->caller));
	err |= store_col_str(stmt, 4, c->callee, sizeof(c->callee));
	err |= store_col_str(stmt, 5, c->group, sizeof(c->group));
	err |= store_col_str(stmt, 6, c->agent, sizeof(c->agent));
	c->offered_ms  = sqlite3_column_int64(stmt, 7);
	c->queued_ms   = sqlite3_column_int64(stmt, 8);
	c->ringing_ms  = sqlite3_column_int64(stmt, 9);
	c->answered_ms = sqlite3_column_int64(stmt, 10);
	c->ended_ms    = sqlite3_column_int64(stmt, 11);
	err |= store_col_str(stmt, 12, c->end_status, sizeof(c->end_status));
	err |= store_col_str(stmt, 13, c->hangup_side,
			     sizeof(c->hangup_side));
	c->end_scode = (uint16_t)sqlite3_column_int(stmt, 14);
	err |= store_col_str(stmt, 15, c->uui, sizeof(c->uui));
	err |= store_col_str(stmt, 16, c->remark, sizeof(c->remark));
	c->duration_s = (uint32_t)sqlite3_column_int64(stmt, 17);

	return err ? EIO : 0;
}


static int cdr_list(struct store *st, const char *app, const char *agent,
		    uint32_t limit, store_cdr_h *h, void *arg)
{
	sqlite3_stmt *stmt = NULL;
	struct store_cdr c;
	int rc, err;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	err = store_stmt_get(st, agent ? sql_cdr_list_agent : sql_cdr_list,
			     &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_i64(stmt, 2, limit ? limit : CDR_LIMIT_DEFAULT);
	if (agent)
		err |= store_bind_str(stmt, 3, agent);
	if (err)
		goto out;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cdr_row(stmt, &c);
		if (err)
			goto out;
		h(&c, arg);
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "cdr list");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * List the CDRs of an application, newest first
 *
 * @param st    Store
 * @param app   SdkAppId
 * @param limit Most records to return; 0 means 100
 * @param h     Handler, called once per record
 * @param arg   Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int store_cdr_list(struct store *st, const char *app, uint32_t limit,
		   store_cdr_h *h, void *arg)
{
	return cdr_list(st, app, NULL, limit, h, arg);
}


/**
 * List the CDRs of the calls one agent handled, newest first
 *
 * @param agent User id of the agent
 *
 * @return 0 if success, otherwise errorcode (the rest as store_cdr_list)
 */
int store_cdr_list_agent(struct store *st, const char *app,
			 const char *agent, uint32_t limit, store_cdr_h *h,
			 void *arg)
{
	if (!store_arg_ok(agent, STORE_ID_SZ))
		return EINVAL;

	return cdr_list(st, app, agent, limit, h, arg);
}
