/**
 * @file store/privacy.c  Personal information: retention, erasure, audit
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the rules are in DESIGN.md, "Personal information".  CDRs are
 * the operator's records, so an erasure anonymises them (the number or the
 * agent becomes "deleted") rather than dropping the call from the
 * statistics.  Each erasure and each expiry runs in one transaction: a
 * crash leaves a person's data either all there or all gone.  Nothing here
 * logs a number.
 */

#include <re.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include <openssl/rand.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


enum {
	AUDIT_LIMIT_DEFAULT = 100,
	REF_BYTES = 8,
	REF_TRIES = 4,
};

static const char deleted[] = "deleted";

static const char sql_retention_set[] =
	"UPDATE apps SET cdr_retention_days = ?2 WHERE sdk_app_id = ?1";
static const char sql_retention_get[] =
	"SELECT cdr_retention_days FROM apps WHERE sdk_app_id = ?1";

/* ended_ms < now - days: compared in ms, the product fits easily. */
static const char sql_cdr_expire[] =
	"DELETE FROM cdrs WHERE (?2 IS NULL OR app = ?2) AND EXISTS"
	" (SELECT 1 FROM apps WHERE apps.sdk_app_id = cdrs.app"
	" AND apps.cdr_retention_days > 0"
	" AND cdrs.ended_ms < ?1 - apps.cdr_retention_days * 86400000)";

static const char sql_audit_add[] =
	"INSERT INTO audit_log (app, at_ms, actor, action, detail)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_audit_list[] =
	"SELECT id, app, at_ms, actor, action, detail FROM audit_log"
	" WHERE app = ?1 ORDER BY id DESC LIMIT ?2";

static const char sql_numref_add[] =
	"INSERT INTO number_refs (ref, app, number, expires)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char sql_numref_get[] =
	"SELECT number FROM number_refs WHERE ref = ?1 AND app = ?2"
	" AND expires > ?3";

static const char sql_erase_cdr_phone[] =
	"UPDATE cdrs SET"
	" caller = CASE WHEN caller = ?2 THEN ?3 ELSE caller END,"
	" callee = CASE WHEN callee = ?2 THEN ?3 ELSE callee END"
	" WHERE app = ?1 AND (caller = ?2 OR callee = ?2)";
static const char sql_erase_staff_phone[] =
	"UPDATE staff SET phone = '' WHERE app = ?1 AND phone = ?2";
static const char sql_erase_numref[] =
	"DELETE FROM number_refs WHERE app = ?1 AND number = ?2";
static const char sql_erase_cdr_agent[] =
	"UPDATE cdrs SET agent = ?3 WHERE app = ?1 AND agent = ?2";
static const char sql_erase_staff_user[] =
	"UPDATE staff SET name = '', phone = ''"
	" WHERE app = ?1 AND user_id = ?2";


/**
 * Set the CDR retention of an application
 *
 * @param st   Store
 * @param app  SdkAppId
 * @param days Days to keep a CDR after the call ended; 0 keeps forever
 *
 * @return 0 if success, ENOENT if the application is unknown, EINVAL if
 *         days is above STORE_RETENTION_DAYS_MAX, otherwise errorcode
 */
int store_retention_set(struct store *st, const char *app, uint32_t days)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    days > STORE_RETENTION_DAYS_MAX)
		return EINVAL;

	err = store_stmt_get(st, sql_retention_set, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_i64(stmt, 2, days);
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "retention set");
	if (!err && sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int retention_handler(sqlite3_stmt *stmt, void *arg)
{
	uint32_t *daysp = arg;
	int64_t v = sqlite3_column_int64(stmt, 0);

	*daysp = v > 0 && v <= STORE_RETENTION_DAYS_MAX ? (uint32_t)v : 0;

	return 0;
}


/**
 * Get the CDR retention of an application
 *
 * @param st    Store
 * @param app   SdkAppId
 * @param daysp Returned days, 0 = keep forever
 *
 * @return 0 if success, ENOENT if the application is unknown, otherwise
 *         errorcode
 */
int store_retention_get(struct store *st, const char *app, uint32_t *daysp)
{
	size_t n = 0;
	int err;

	if (!st || !daysp || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	err = store_query(st, sql_retention_get, &app, 1, retention_handler,
			  daysp, &n);
	if (!err && n == 0)
		err = ENOENT;

	return err;
}


/**
 * Delete the CDRs that are past their application's retention
 *
 * @param st       Store
 * @param app      SdkAppId, or NULL for every application
 * @param now_ms   Current time, Unix ms
 * @param deletedp Optional number of rows deleted
 *
 * @return 0 if success, otherwise errorcode
 */
int store_cdr_expire(struct store *st, const char *app, int64_t now_ms,
		     uint32_t *deletedp)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	if (!st || (app && !store_arg_ok(app, STORE_ID_SZ)))
		return EINVAL;

	err = store_begin(st);
	if (err)
		return err;

	err = store_stmt_get(st, sql_cdr_expire, &stmt);
	if (err)
		goto out;

	err  = store_bind_i64(stmt, 1, now_ms);
	err |= store_bind_opt(stmt, 2, app);
	if (!err)
		err = store_exec_done(st, stmt, "cdr expire");
	if (!err && deletedp)
		*deletedp = (uint32_t)sqlite3_changes(st->db);

	store_stmt_put(st, stmt);

 out:
	return store_end(st, err);
}


/**
 * Add an entry to the audit log
 *
 * @param st Store
 * @param a  Entry; at_ms 0 means now; a->id is set on success
 *
 * @return 0 if success, otherwise errorcode
 */
int store_audit_add(struct store *st, struct store_audit *a)
{
	sqlite3_stmt *stmt = NULL;
	int64_t at_ms;
	int err;

	if (!st || !a || !STORE_FIELD_SET(a->sdk_app_id) ||
	    !STORE_FIELD_OK(a->actor) || !STORE_FIELD_SET(a->action) ||
	    !STORE_FIELD_OK(a->detail))
		return EINVAL;

	if (a->at_ms) {
		at_ms = a->at_ms;
	}
	else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}

	err = store_stmt_get(st, sql_audit_add, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, a->sdk_app_id);
	err |= store_bind_i64(stmt, 2, at_ms);
	err |= store_bind_str(stmt, 3, a->actor);
	err |= store_bind_str(stmt, 4, a->action);
	err |= store_bind_str(stmt, 5, a->detail[0] ? a->detail : "{}");
	if (err)
		goto out;

	err = store_exec_done(st, stmt, "audit add");
	if (err)
		goto out;

	a->id = sqlite3_last_insert_rowid(st->db);
	a->at_ms = at_ms;

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * List the audit log of an application, newest first
 *
 * @param st    Store
 * @param app   SdkAppId
 * @param limit Most entries; 0 means 100
 * @param h     Handler, called once per entry
 * @param arg   Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int store_audit_list(struct store *st, const char *app, uint32_t limit,
		     store_audit_h *h, void *arg)
{
	sqlite3_stmt *stmt = NULL;
	struct store_audit a;
	int rc, err;

	if (!st || !h || !store_arg_ok(app, STORE_ID_SZ))
		return EINVAL;

	err = store_stmt_get(st, sql_audit_list, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_i64(stmt, 2, limit ? limit : AUDIT_LIMIT_DEFAULT);
	if (err)
		goto out;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		a.id    = sqlite3_column_int64(stmt, 0);
		err     = store_col_str(stmt, 1, a.sdk_app_id,
					sizeof(a.sdk_app_id));
		a.at_ms = sqlite3_column_int64(stmt, 2);
		err    |= store_col_str(stmt, 3, a.actor, sizeof(a.actor));
		err    |= store_col_str(stmt, 4, a.action, sizeof(a.action));
		err    |= store_col_str(stmt, 5, a.detail, sizeof(a.detail));
		if (err) {
			err = EIO;
			goto out;
		}

		h(&a, arg);
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "audit list");

 out:
	store_stmt_put(st, stmt);
	return err;
}


static int ref_make(char *ref, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rb[REF_BYTES];
	size_t i;

	if (sz < 2 + 2 * sizeof(rb))
		return EINVAL;

	/* Unguessable: a guessed reference would be a number to call. */
	if (RAND_bytes(rb, sizeof(rb)) != 1) {
		log_error("store: RAND_bytes failed");
		return EIO;
	}

	ref[0] = 'r';
	for (i = 0; i < sizeof(rb); i++) {
		ref[1 + 2 * i] = hex[rb[i] >> 4];
		ref[2 + 2 * i] = hex[rb[i] & 0xf];
	}
	ref[1 + 2 * sizeof(rb)] = '\0';

	return 0;
}


/**
 * Make a new opaque reference for a number
 *
 * @param st      Store
 * @param app     SdkAppId; only this application can resolve it
 * @param number  Number in clear
 * @param expires Unix time from which the reference is unknown
 * @param ref     Buffer for the reference, at least STORE_REF_SZ bytes
 * @param refsz   Size of ref
 *
 * @return 0 if success, otherwise errorcode
 */
int store_numref_add(struct store *st, const char *app, const char *number,
		     int64_t expires, char *ref, size_t refsz)
{
	sqlite3_stmt *stmt = NULL;
	int err = EEXIST;
	int i;

	if (!st || !ref || refsz < STORE_REF_SZ ||
	    !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(number, STORE_NUMBER_SZ * 2))
		return EINVAL;

	for (i = 0; i < REF_TRIES && err == EEXIST; i++) {
		err = ref_make(ref, refsz);
		if (err)
			break;

		err = store_stmt_get(st, sql_numref_add, &stmt);
		if (err)
			break;

		err  = store_bind_str(stmt, 1, ref);
		err |= store_bind_str(stmt, 2, app);
		err |= store_bind_str(stmt, 3, number);
		err |= store_bind_i64(stmt, 4, expires);
		if (!err)
			err = store_exec_done(st, stmt, "numref add");

		store_stmt_put(st, stmt);
		stmt = NULL;
	}

	if (err)
		ref[0] = '\0';

	return err;
}


struct numref_get {
	char *number;
	size_t sz;
};


static int numref_handler(sqlite3_stmt *stmt, void *arg)
{
	struct numref_get *g = arg;

	return store_col_str(stmt, 0, g->number, g->sz) ? ENOBUFS : 0;
}


/**
 * Resolve a number reference
 *
 * @param st     Store
 * @param app    SdkAppId of the one asking
 * @param ref    Reference
 * @param now    Current Unix time
 * @param number Buffer for the number
 * @param sz     Size of number
 *
 * @return 0 if success, ENOENT if unknown, of another application or
 *         expired, otherwise errorcode
 */
int store_numref_get(struct store *st, const char *app, const char *ref,
		     int64_t now, char *number, size_t sz)
{
	struct numref_get g = {number, sz};
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	if (!st || !number || !sz || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(ref, STORE_REF_SZ))
		return EINVAL;

	err = store_stmt_get(st, sql_numref_get, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, ref);
	err |= store_bind_str(stmt, 2, app);
	err |= store_bind_i64(stmt, 3, now);
	if (err)
		goto out;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = numref_handler(stmt, &g);
	else if (rc == SQLITE_DONE)
		err = ENOENT;
	else
		err = store_sqlerr(st, rc, "numref get");

 out:
	store_stmt_put(st, stmt);
	return err;
}


/* Run one erasure statement (?1 app, ?2 key, ?3 "deleted") and count. */
static int erase_step(struct store *st, const char *sql, const char *app,
		      const char *key, uint32_t *countp)
{
	sqlite3_stmt *stmt = NULL;
	int err;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	err  = store_bind_str(stmt, 1, app);
	err |= store_bind_str(stmt, 2, key);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		err |= store_bind_str(stmt, 3, deleted);
	if (!err)
		err = store_exec_done(st, stmt, "erase");
	if (!err)
		*countp = (uint32_t)sqlite3_changes(st->db);

	store_stmt_put(st, stmt);
	return err;
}


static int erase(struct store *st, const char *app, const char *key,
		 const char *sqlv[3], struct store_erasure *res)
{
	uint32_t *countv[3];
	struct store_erasure r;
	size_t i;
	int err;

	memset(&r, 0, sizeof(r));
	countv[0] = &r.cdrs;
	countv[1] = &r.staff;
	countv[2] = &r.number_refs;

	err = store_begin(st);
	if (err)
		return err;

	for (i = 0; i < 3; i++) {
		if (!sqlv[i])
			continue;

		err = erase_step(st, sqlv[i], app, key, countv[i]);
		if (err)
			goto out;
	}

 out:
	err = store_end(st, err);
	if (!err && res)
		*res = r;

	return err;
}


/**
 * Erase a phone number from an application's data: CDR callers and
 * callees equal to it become "deleted", staff phones equal to it are
 * cleared, and its number references are deleted.  A number nobody has
 * is not an error: the counts are 0.
 *
 * @param st    Store
 * @param app   SdkAppId
 * @param phone Number, as stored
 * @param res   Optional returned counts
 *
 * @return 0 if success, otherwise errorcode
 */
int store_erase_phone(struct store *st, const char *app, const char *phone,
		      struct store_erasure *res)
{
	const char *sqlv[3] = {sql_erase_cdr_phone, sql_erase_staff_phone,
			       sql_erase_numref};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(phone, STORE_NUMBER_SZ * 2))
		return EINVAL;

	return erase(st, app, phone, sqlv, res);
}


/**
 * Erase a staff member's personal data: CDRs naming them as the agent
 * say "deleted", their name and phone are cleared.  The staff member
 * stays (deleting them is DELETE /v1/staff); an unknown user id is not an
 * error: the counts are 0.
 *
 * @param st      Store
 * @param app     SdkAppId
 * @param user_id User id
 * @param res     Optional returned counts
 *
 * @return 0 if success, otherwise errorcode
 */
int store_erase_user(struct store *st, const char *app, const char *user_id,
		     struct store_erasure *res)
{
	const char *sqlv[3] = {sql_erase_cdr_agent, sql_erase_staff_user,
			       NULL};

	if (!st || !store_arg_ok(app, STORE_ID_SZ) ||
	    !store_arg_ok(user_id, STORE_ID_SZ))
		return EINVAL;

	return erase(st, app, user_id, sqlv, res);
}
