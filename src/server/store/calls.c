/**
 * @file store/calls.c  Login tokens, SIP credentials and registrations
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include <re.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	NONCE_SZ = STORE_TEXT_SZ,
};

static const char sql_token_add[] =
	"INSERT INTO tokens (nonce, app, user_id, expires)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char sql_token_use[] =
	"UPDATE tokens SET used = 1 WHERE nonce = ?1 AND used = 0";
static const char sql_token_known[] =
	"SELECT used FROM tokens WHERE nonce = ?1";

static const char sql_sipcred_add[] =
	"INSERT INTO sipcreds (username, app, user_id, ha1, expires)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_sipcred_get[] =
	"SELECT username, app, user_id, ha1, expires"
	" FROM sipcreds WHERE username = ?1";

static const char sql_reg_set[] =
	"INSERT INTO regs (app, user_id, contact, transport, source, expires)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (app, user_id) DO UPDATE SET"
	" contact = excluded.contact, transport = excluded.transport,"
	" source = excluded.source, expires = excluded.expires";
static const char sql_reg_delete[] =
	"DELETE FROM regs WHERE app = ?1 AND user_id = ?2";
static const char sql_reg_list[] =
	"SELECT app, user_id, contact, transport, source, expires"
	" FROM regs ORDER BY app, user_id";

struct list_ctx {
	store_reg_h *regh;
	void *arg;
};


/**
 * Record an issued SDK login token by its nonce
 *
 * @return 0 if success, EEXIST if the nonce exists, ENOENT if the user is
 *         not staff of the application, otherwise errorcode
 */
int store_token_add(struct store *st, const char *app, const char *user_id,
		    const char *nonce, int64_t expires)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ) ||
	    !store_arg_ok(nonce, NONCE_SZ))
		return EINVAL;

	err = store_stmt_get(st, sql_token_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, nonce);
	err |= store_bind_str(stmt, 2, app);
	err |= store_bind_str(stmt, 3, user_id);
	err |= store_bind_i64(stmt, 4, expires);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "token add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int token_known_handler(sqlite3_stmt *stmt, void *arg)
{
	(void)stmt;
	(void)arg;
	return 0;
}


/**
 * Use a token once.  The check and the marking are one UPDATE, so two
 * concurrent logins with the same token cannot both succeed.  Expiry is
 * the caller's check (the signed token carries it); store_expire()
 * forgets expired nonces, after which they read as unknown.
 *
 * @return 0 if success, EALREADY if used before, ENOENT if never issued
 *         (or expired and purged), otherwise errorcode
 */
int store_token_consume(struct store *st, const char *nonce)
{
	size_t n = 0;
	int err;

	if (!st || !store_arg_ok(nonce, NONCE_SZ))
		return EINVAL;

	err = store_change(st, sql_token_use, &nonce, 1, "token consume");
	if (err != ENOENT)
		return err;

	err = store_query(st, sql_token_known, &nonce, 1,
			  token_known_handler, NULL, &n);
	if (err)
		return err;

	return n ? EALREADY : ENOENT;
}


/**
 * Store ephemeral SIP credentials
 *
 * @return 0 if success, EEXIST if the username exists, ENOENT if the user
 *         is not staff of the application, otherwise errorcode
 */
int store_sipcred_add(struct store *st, const struct store_sipcred *c)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !c || !STORE_FIELD_SET(c->username) ||
	    !STORE_FIELD_SET(c->sdk_app_id) || !STORE_FIELD_SET(c->user_id) ||
	    !STORE_FIELD_OK(c->ha1))
		return EINVAL;

	err = store_stmt_get(st, sql_sipcred_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, c->username);
	err |= store_bind_str(stmt, 2, c->sdk_app_id);
	err |= store_bind_str(stmt, 3, c->user_id);
	err |= store_bind_str(stmt, 4, c->ha1);
	err |= store_bind_i64(stmt, 5, c->expires);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "sipcred add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int sipcred_handler(sqlite3_stmt *stmt, void *arg)
{
	struct store_sipcred *c = arg;
	int err;

	err  = store_col_str(stmt, 0, c->username, sizeof(c->username));
	err |= store_col_str(stmt, 1, c->sdk_app_id, sizeof(c->sdk_app_id));
	err |= store_col_str(stmt, 2, c->user_id, sizeof(c->user_id));
	err |= store_col_str(stmt, 3, c->ha1, sizeof(c->ha1));
	c->expires = sqlite3_column_int64(stmt, 4);

	return err ? EIO : 0;
}


/**
 * Find SIP credentials by username.  Expired ones are returned until
 * store_expire() removes them: the caller compares expires with now.
 *
 * @return 0 if success, ENOENT if unknown, otherwise errorcode
 */
int store_sipcred_get(struct store *st, const char *username,
		      struct store_sipcred *c)
{
	size_t n = 0;
	int err;

	if (!st || !c || !store_arg_ok(username, STORE_ID_SZ))
		return EINVAL;

	err = store_query(st, sql_sipcred_get, &username, 1, sipcred_handler,
			  c, &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


/**
 * Set the registration of a staff member, replacing any previous one
 *
 * @return 0 if success, ENOENT if the user is not staff of the
 *         application, otherwise errorcode
 */
int store_reg_set(struct store *st, const struct store_reg *r)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !r || !STORE_FIELD_SET(r->sdk_app_id) ||
	    !STORE_FIELD_SET(r->user_id) || !STORE_FIELD_OK(r->contact) ||
	    !STORE_FIELD_OK(r->transport) || !STORE_FIELD_OK(r->source))
		return EINVAL;

	err = store_stmt_get(st, sql_reg_set, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, r->sdk_app_id);
	err |= store_bind_str(stmt, 2, r->user_id);
	err |= store_bind_str(stmt, 3, r->contact);
	err |= store_bind_str(stmt, 4, r->transport);
	err |= store_bind_str(stmt, 5, r->source);
	err |= store_bind_i64(stmt, 6, r->expires);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "reg set");

 out:
	store_stmt_put(st, stmt);
	return err;
}


int store_reg_delete(struct store *st, const char *app, const char *user_id)
{
	const char *argv[2] = {app, user_id};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	return store_change(st, sql_reg_delete, argv, 2, "reg delete");
}


static int reg_list_handler(sqlite3_stmt *stmt, void *arg)
{
	struct list_ctx *ctx = arg;
	struct store_reg r;
	int err;

	err  = store_col_str(stmt, 0, r.sdk_app_id, sizeof(r.sdk_app_id));
	err |= store_col_str(stmt, 1, r.user_id, sizeof(r.user_id));
	err |= store_col_str(stmt, 2, r.contact, sizeof(r.contact));
	err |= store_col_str(stmt, 3, r.transport, sizeof(r.transport));
	err |= store_col_str(stmt, 4, r.source, sizeof(r.source));
	if (err)
		return EIO;

	r.expires = sqlite3_column_int64(stmt, 5);

	ctx->regh(&r, ctx->arg);
	return 0;
}


/**
 * List all registrations, expired ones included until store_expire()
 */
int store_reg_list(struct store *st, store_reg_h *h, void *arg)
{
	struct list_ctx ctx;

	if (!st || !h)
		return EINVAL;

	ctx.regh = h;
	ctx.arg = arg;

	return store_query(st, sql_reg_list, NULL, 0, reg_list_handler, &ctx,
			   NULL);
}
