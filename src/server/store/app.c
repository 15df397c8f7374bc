/**
 * @file store/app.c  Applications: SdkAppId and API credentials
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An application's own credentials (in apps) have every right; those in
 * the credentials table have a role with fewer (api/auth.c).  Their
 * SecretIds are drawn alike, so one lookup order finds either.
 */

#include <string.h>
#include <re.h>
#include <time.h>
#include <sqlite3.h>
#include <openssl/rand.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	APP_ID_BASE     = 1400000000,  /* TCCC's SdkAppIds look like this */
	APP_ID_SPAN     = 100000000,
	SECRET_ID_RAND  = 32,
	SECRET_KEY_LEN  = 40,
	TOKEN_KEY_BYTES = 32,
	CREATE_TRIES    = 8,
};

static const char sql_app_add[] =
	"INSERT INTO apps (sdk_app_id, secret_id, secret_key, token_key,"
	" created) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_app_get[] =
	"SELECT sdk_app_id, secret_id, secret_key, token_key, created"
	" FROM apps WHERE sdk_app_id = ?1";
static const char sql_app_by_secret[] =
	"SELECT sdk_app_id, secret_id, secret_key, token_key, created"
	" FROM apps WHERE secret_id = ?1";
static const char sql_cred_add[] =
	"INSERT INTO credentials (secret_id, app, secret_key, role, user_id,"
	" created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_cred_by_secret[] =
	"SELECT secret_id, app, secret_key, role, user_id, created"
	" FROM credentials WHERE secret_id = ?1";
static const char sql_cred_list[] =
	"SELECT secret_id, app, secret_key, role, user_id, created"
	" FROM credentials WHERE app = ?1 ORDER BY created, rowid";
static const char sql_cred_delete[] =
	"DELETE FROM credentials WHERE app = ?1 AND secret_id = ?2";
static const char sql_app_list[] =
	"SELECT sdk_app_id, secret_id, secret_key, token_key, created"
	" FROM apps ORDER BY created, sdk_app_id";


static int secure_u32(uint32_t *vp)
{
	if (RAND_bytes((unsigned char *)vp, sizeof(*vp)) != 1) {
		log_error("store: RAND_bytes failed");
		return EIO;
	}

	return 0;
}


/* Letters and digits, uniform: bytes past the last multiple of 62 are
 * drawn again rather than folded, so no character is more likely. */
static int rand_alnum(char *buf, size_t len)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789";
	const size_t n = sizeof(alnum) - 1;
	const unsigned lim = 256 - 256 % n;
	unsigned char rb[64];
	size_t i = 0;

	while (i < len) {
		size_t j;

		if (RAND_bytes(rb, sizeof(rb)) != 1) {
			log_error("store: RAND_bytes failed");
			return EIO;
		}

		for (j = 0; j < sizeof(rb) && i < len; j++) {
			if (rb[j] < lim)
				buf[i++] = alnum[rb[j] % n];
		}
	}

	buf[len] = '\0';
	return 0;
}


static int rand_hex(char *buf, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rb[64];
	size_t i;

	if (nbytes > sizeof(rb) || RAND_bytes(rb, (int)nbytes) != 1) {
		log_error("store: RAND_bytes failed");
		return EIO;
	}

	for (i = 0; i < nbytes; i++) {
		buf[2 * i]     = hex[rb[i] >> 4];
		buf[2 * i + 1] = hex[rb[i] & 0xf];
	}
	buf[2 * nbytes] = '\0';

	return 0;
}


static int app_insert(struct store *st, const struct store_app *app)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql_app_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app->sdk_app_id);
	err |= store_bind_str(stmt, 2, app->secret_id);
	err |= store_bind_str(stmt, 3, app->secret_key);
	err |= store_bind_str(stmt, 4, app->token_key);
	err |= store_bind_i64(stmt, 5, app->created);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "app add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Create an application.  Empty fields are generated: sdk_app_id a
 * 10-digit number starting 14, secret_id "AKID" and 32 letters or digits,
 * secret_key 40 letters or digits, token_key 32 random bytes in hex,
 * created the current time.  The struct is filled back.
 *
 * @param st  Store
 * @param app Application, in and out
 *
 * @return 0 if success, EEXIST if a given id is taken, otherwise errorcode
 */
int store_app_create(struct store *st, struct store_app *app)
{
	bool gen_id, gen_sid;
	int i, err = 0;

	if (!st || !app)
		return EINVAL;

	if (!STORE_FIELD_OK(app->sdk_app_id) ||
	    !STORE_FIELD_OK(app->secret_id) ||
	    !STORE_FIELD_OK(app->secret_key) ||
	    !STORE_FIELD_OK(app->token_key))
		return EINVAL;

	gen_id  = app->sdk_app_id[0] == '\0';
	gen_sid = app->secret_id[0] == '\0';

	if (!app->secret_key[0]) {
		err = rand_alnum(app->secret_key, SECRET_KEY_LEN);
		if (err)
			goto out;
	}

	if (!app->token_key[0]) {
		err = rand_hex(app->token_key, TOKEN_KEY_BYTES);
		if (err)
			goto out;
	}

	if (!app->created)
		app->created = (int64_t)time(NULL);

	/* A generated id can collide with an existing one (1 in 10^8 per
	 * app for sdk_app_id): draw again; a given one that collides is the
	 * caller's EEXIST. */
	for (i = 0; i < CREATE_TRIES; i++) {

		if (gen_id) {
			uint32_t r;

			err = secure_u32(&r);
			if (err)
				goto out;

			(void)re_snprintf(app->sdk_app_id,
					  sizeof(app->sdk_app_id), "%u",
					  APP_ID_BASE + r % APP_ID_SPAN);
		}

		if (gen_sid) {
			app->secret_id[0] = 'A';
			app->secret_id[1] = 'K';
			app->secret_id[2] = 'I';
			app->secret_id[3] = 'D';
			err = rand_alnum(app->secret_id + 4, SECRET_ID_RAND);
			if (err)
				goto out;
		}

		err = app_insert(st, app);
		if (err != EEXIST || (!gen_id && !gen_sid))
			break;
	}

 out:
	return err;
}


static int app_row(sqlite3_stmt *stmt, struct store_app *app)
{
	int err;

	err = store_col_str(stmt, 0, app->sdk_app_id,
			    sizeof(app->sdk_app_id));
	err |= store_col_str(stmt, 1, app->secret_id,
			     sizeof(app->secret_id));
	err |= store_col_str(stmt, 2, app->secret_key,
			     sizeof(app->secret_key));
	err |= store_col_str(stmt, 3, app->token_key,
			     sizeof(app->token_key));
	app->created = sqlite3_column_int64(stmt, 4);

	return err ? EIO : 0;
}


static int app_find(struct store *st, const char *sql, const char *key,
		    struct store_app *app)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	err = store_bind_str(stmt, 1, key);
	if (err)
		goto out;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = ENOENT;
	else if (rc == SQLITE_ROW)
		err = app_row(stmt, app);
	else
		err = store_sqlerr(st, rc, "app get");

 out:
	store_stmt_put(st, stmt);
	return err;
}


int store_app_get(struct store *st, const char *sdk_app_id,
		  struct store_app *app)
{
	if (!st || !app || !store_arg_ok(sdk_app_id, STORE_ID_SZ))
		return EINVAL;

	return app_find(st, sql_app_get, sdk_app_id, app);
}


int store_app_by_secret_id(struct store *st, const char *secret_id,
			   struct store_app *app)
{
	if (!st || !app || !store_arg_ok(secret_id, STORE_SECRET_SZ))
		return EINVAL;

	return app_find(st, sql_app_by_secret, secret_id, app);
}


int store_app_list(struct store *st, store_app_h *h, void *arg)
{
	sqlite3_stmt *stmt = NULL;
	struct store_app app;
	int rc, err;

	if (!st || !h)
		return EINVAL;

	err = store_stmt_get(st, sql_app_list, &stmt);
	if (err)
		return err;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = app_row(stmt, &app);
		if (err)
			goto out;
		h(&app, arg);
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "app list");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int secret_id_draw(char *buf)
{
	buf[0] = 'A';
	buf[1] = 'K';
	buf[2] = 'I';
	buf[3] = 'D';

	return rand_alnum(buf + 4, SECRET_ID_RAND);
}


static int cred_insert(struct store *st, const struct store_cred *c)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql_cred_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, c->secret_id);
	err |= store_bind_str(stmt, 2, c->sdk_app_id);
	err |= store_bind_str(stmt, 3, c->secret_key);
	err |= store_bind_str(stmt, 4, c->role);
	err |= store_bind_opt(stmt, 5, c->user_id);
	err |= store_bind_i64(stmt, 6, c->created);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "credentials add");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Create role credentials: secret_id and secret_key are generated as an
 * application's are, created is now; the struct is filled back
 *
 * @param st Store
 * @param c  sdk_app_id, role ("supervisor", or "agent" with user_id) in;
 *           the whole credentials out
 *
 * @return 0 if success, ENOENT if the application or the staff member is
 *         unknown, EINVAL if the role and user_id do not match, otherwise
 *         errorcode
 */
int store_cred_create(struct store *st, struct store_cred *c)
{
	bool agent;
	int i, err = 0;

	if (!st || !c || !STORE_FIELD_SET(c->sdk_app_id) ||
	    !STORE_FIELD_OK(c->role) || !STORE_FIELD_OK(c->user_id))
		return EINVAL;

	agent = !strcmp(c->role, "agent");
	if ((!agent && strcmp(c->role, "supervisor")) ||
	    agent != (c->user_id[0] != '\0'))
		return EINVAL;

	err = rand_alnum(c->secret_key, SECRET_KEY_LEN);
	if (err)
		return err;

	c->created = (int64_t)time(NULL);

	for (i = 0; i < CREATE_TRIES; i++) {
		struct store_app app;

		err = secret_id_draw(c->secret_id);
		if (err)
			break;

		/* The SecretIds of apps and credentials share one space. */
		err = store_app_by_secret_id(st, c->secret_id, &app);
		if (!err) {
			err = EEXIST;
			continue;
		}
		else if (err != ENOENT) {
			break;
		}

		err = cred_insert(st, c);
		if (err != EEXIST)
			break;
	}

	if (err) {
		memset(c->secret_id, 0, sizeof(c->secret_id));
		memset(c->secret_key, 0, sizeof(c->secret_key));
	}

	return err;
}


static int cred_row(sqlite3_stmt *stmt, void *arg)
{
	struct store_cred *c = arg;
	int err;

	err  = store_col_str(stmt, 0, c->secret_id, sizeof(c->secret_id));
	err |= store_col_str(stmt, 1, c->sdk_app_id, sizeof(c->sdk_app_id));
	err |= store_col_str(stmt, 2, c->secret_key, sizeof(c->secret_key));
	err |= store_col_str(stmt, 3, c->role, sizeof(c->role));
	err |= store_col_str(stmt, 4, c->user_id, sizeof(c->user_id));
	c->created = sqlite3_column_int64(stmt, 5);

	return err ? EIO : 0;
}


/**
 * Find role credentials by their SecretId
 *
 * @return 0 if found, ENOENT if not, otherwise errorcode
 */
int store_cred_by_secret_id(struct store *st, const char *secret_id,
			    struct store_cred *c)
{
	size_t n = 0;
	int err;

	if (!st || !c || !store_arg_ok(secret_id, STORE_SECRET_SZ))
		return EINVAL;

	memset(c, 0, sizeof(*c));
	err = store_query(st, sql_cred_by_secret, &secret_id, 1, cred_row,
			  c, &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


struct cred_list {
	store_cred_h *h;
	void *arg;
};


static int cred_list_row(sqlite3_stmt *stmt, void *arg)
{
	struct cred_list *cl = arg;
	struct store_cred c;
	int err;

	memset(&c, 0, sizeof(c));
	err = cred_row(stmt, &c);
	if (err)
		return err;

	cl->h(&c, cl->arg);
	return 0;
}


/* The role credentials of an application, oldest first */
int store_cred_list(struct store *st, const char *app, store_cred_h *h,
		    void *arg)
{
	struct cred_list cl = {h, arg};

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	return store_query(st, sql_cred_list, &app, 1, cred_list_row, &cl,
			   NULL);
}


/**
 * Delete role credentials of an application
 *
 * @return 0 if success, ENOENT if the application has none with that
 *         SecretId, otherwise errorcode
 */
int store_cred_delete(struct store *st, const char *app,
		      const char *secret_id)
{
	const char *argv[2] = {app, secret_id};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(secret_id, STORE_SECRET_SZ))
		return EINVAL;

	return store_change(st, sql_cred_delete, argv, 2,
			    "credentials delete");
}
