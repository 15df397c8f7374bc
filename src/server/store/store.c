/**
 * @file store/store.c  Opening the SQLite store, error mapping, housekeeping
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: one sqlite3 connection per struct store, used from one thread
 * (the main loop).  Statement helpers are in store/sql.c, the schema and
 * its migrations in store/schema.c.
 */

#include <re.h>
#include <string.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


static void destructor(void *arg)
{
	struct store *st = arg;
	size_t i;

	for (i = 0; i < st->stmtc; i++)
		sqlite3_finalize(st->stmtv[i].stmt);

	/* close_v2 defers the close if a statement were somehow left over,
	 * instead of failing and leaking the handle. */
	sqlite3_close_v2(st->db);
}


/**
 * Convert an SQLite result code to an errno value, logging why
 *
 * @param st   Store
 * @param rc   SQLite result code (extended codes are on)
 * @param what What was being done, for the log line
 *
 * @return errno value
 */
int store_sqlerr(struct store *st, int rc, const char *what)
{
	switch (rc & 0xff) {

	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;

	case SQLITE_CONSTRAINT:
		/* A duplicate or a missing parent is an expected answer
		 * (the API maps it to 409/404): not worth a warning. */
		log_debug("store: %s: %s", what, sqlite3_errmsg(st->db));
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return ENOENT;
		return EEXIST;

	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warn("store: %s: %s", what, sqlite3_errmsg(st->db));
		return EBUSY;

	case SQLITE_NOMEM:
		log_warn("store: %s: out of memory", what);
		return ENOMEM;

	default:
		log_warn("store: %s: %s (%d)", what,
			 sqlite3_errmsg(st->db), rc);
		return EIO;
	}
}


static int pragmas(struct store *st)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err;

	/* journal_mode answers with the mode it got: "memory" for
	 * ":memory:", which is fine; anything else should be "wal". */
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1,
				&stmt, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(st, rc, "journal_mode");

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);

		if (mode && strcmp(mode, "wal") && strcmp(mode, "memory"))
			log_warn("store: journal mode is %s, not wal",
				 mode);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return store_sqlerr(st, rc, "journal_mode");

	/* WAL with synchronous=NORMAL survives a crash of the process
	 * (kill -9); only a power loss may drop the last commits. */
	err = store_exec_const(st, "PRAGMA synchronous=NORMAL");
	if (err)
		return err;

	return store_exec_const(st, "PRAGMA foreign_keys=ON");
}


void store_member_change_handler_set(struct store *st,
				     store_member_change_h *h, void *arg)
{
	if (!st)
		return;

	st->mchangeh = h;
	st->mchange_arg = arg;
}


void store_member_changed(struct store *st, const char *app,
			  const char *group)
{
	if (st->mchangeh)
		st->mchangeh(app, group, st->mchange_arg);
}


/**
 * Open (creating or migrating as needed) a store
 *
 * @param stp  Pointer to allocated store, a libre object
 * @param path File name, or ":memory:"
 *
 * @return 0 if success, EPROTO if the database is from a newer version,
 *         otherwise errorcode
 */
int store_open(struct store **stp, const char *path)
{
	struct store *st;
	int rc, err;

	if (!stp || !path || !path[0])
		return EINVAL;

	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;

	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_warn("store: open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "no memory");
		err = rc == SQLITE_NOMEM ? ENOMEM : EIO;
		goto out;
	}

	/* Extended codes tell a foreign-key failure (ENOENT) from a
	 * duplicate (EEXIST). */
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);

	err = store_schema_check(st);
	if (err)
		goto out;

	err = pragmas(st);
	if (err)
		goto out;

	err = store_schema_migrate(st);
	if (err)
		goto out;

 out:
	if (err)
		mem_deref(st);
	else
		*stp = st;

	return err;
}


/**
 * Get the schema version of an open store (PRAGMA user_version)
 *
 * @param st       Store
 * @param versionp Pointer to the version
 *
 * @return 0 if success, otherwise errorcode
 */
int store_schema_version(struct store *st, int *versionp)
{
	static const char sql[] = "PRAGMA user_version";
	sqlite3_stmt *stmt = NULL;
	int rc, err = 0;

	if (!st || !versionp)
		return EINVAL;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? EIO : store_sqlerr(st, rc, sql);
		goto out;
	}

	*versionp = sqlite3_column_int(stmt, 0);

 out:
	store_stmt_put(st, stmt);
	return err;
}


/**
 * Housekeeping: delete expired tokens (used or not), SIP credentials,
 * registrations and number references.  Used tokens stay until they
 * expire so that a replay is still told apart (EALREADY) from an unknown
 * nonce until then.
 *
 * @param st  Store
 * @param now Current Unix time; rows with expires <= now go
 *
 * @return 0 if success, otherwise errorcode
 */
int store_expire(struct store *st, int64_t now)
{
	static const char *const sqlv[] = {
		"DELETE FROM tokens WHERE expires <= ?1",
		"DELETE FROM sipcreds WHERE expires <= ?1",
		"DELETE FROM regs WHERE expires <= ?1",
		"DELETE FROM number_refs WHERE expires <= ?1",
	};
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int err;

	if (!st)
		return EINVAL;

	err = store_begin(st);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(sqlv); i++) {
		err = store_stmt_get(st, sqlv[i], &stmt);
		if (err)
			goto out;

		err = store_bind_i64(stmt, 1, now);
		if (!err)
			err = store_exec_done(st, stmt, "expire");

		store_stmt_put(st, stmt);
		if (err)
			goto out;
	}

 out:
	return store_end(st, err);
}
