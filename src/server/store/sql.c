/**
 * @file store/sql.c  Statement cache, binding, row and transaction helpers
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Statements are prepared on first use and cached by the address of their
 * SQL text (each file keeps its SQL in static arrays).  A list handler may
 * call back into the store, even into the same list: when a cached
 * statement is still stepping, a temporary one is prepared instead.
 */

#include <re.h>
#include <string.h>
#include <sqlite3.h>
#include "common/log.h"
#include "store/store.h"
#include "store/db.h"


/**
 * Get a prepared statement for a static SQL text
 *
 * @param st    Store
 * @param sql   SQL text; its address is the cache key, so it must be static
 * @param stmtp Pointer to the statement, give it back with store_stmt_put()
 *
 * @return 0 if success, otherwise errorcode
 */
int store_stmt_get(struct store *st, const char *sql, sqlite3_stmt **stmtp)
{
	struct store_stmt *slot = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc;

	for (i = 0; i < st->stmtc; i++) {
		if (st->stmtv[i].sql == sql) {
			slot = &st->stmtv[i];
			break;
		}
	}

	if (slot && !sqlite3_stmt_busy(slot->stmt)) {
		*stmtp = slot->stmt;
		return 0;
	}

	/* Cache it only when it is new and there is room; a busy cached
	 * statement (re-entrant use) gets a temporary twin. */
	rc = sqlite3_prepare_v3(st->db, sql, -1,
				slot ? 0 : SQLITE_PREPARE_PERSISTENT,
				&stmt, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(st, rc, "prepare");

	if (!slot && st->stmtc < ARRAY_SIZE(st->stmtv)) {
		st->stmtv[st->stmtc].sql  = sql;
		st->stmtv[st->stmtc].stmt = stmt;
		++st->stmtc;
	}

	*stmtp = stmt;
	return 0;
}


/**
 * Give back a statement from store_stmt_get(): reset a cached one (which
 * also releases its read lock), finalize a temporary one.
 *
 * @param st   Store
 * @param stmt Statement, NULL is ignored
 */
void store_stmt_put(struct store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (!stmt)
		return;

	for (i = 0; i < st->stmtc; i++) {
		if (st->stmtv[i].stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return;
		}
	}

	sqlite3_finalize(stmt);
}


/**
 * Step a statement that returns no rows
 *
 * @param st   Store
 * @param stmt Bound statement
 * @param what What is being done, for the log line
 *
 * @return 0 if success, otherwise errorcode
 */
int store_exec_done(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;

	return store_sqlerr(st, rc, what);
}


/** Run constant SQL text (never built from input) */
int store_exec_const(struct store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(st, rc, sql);
}


/* IMMEDIATE takes the write lock up front, so a busy database fails here
 * (after busy_timeout) rather than half-way through the transaction. */
int store_begin(struct store *st)
{
	return store_exec_const(st, "BEGIN IMMEDIATE");
}


int store_commit(struct store *st)
{
	int err = store_exec_const(st, "COMMIT");

	if (err)
		store_rollback(st);

	return err;
}


void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}


/**
 * End the transaction store_begin() began: commit it if err is 0,
 * otherwise roll it back
 *
 * @return err, or the error of the commit
 */
int store_end(struct store *st, int err)
{
	if (err) {
		store_rollback(st);
		return err;
	}

	return store_commit(st);
}


/** True if s is NUL-terminated within sz bytes */
bool store_str_fits(const char *s, size_t sz)
{
	return memchr(s, '\0', sz) != NULL;
}


/** True if s is a non-empty string that fits a field of sz bytes */
bool store_arg_ok(const char *s, size_t sz)
{
	return s && s[0] != '\0' && store_str_fits(s, sz);
}


/**
 * Copy a text column into a fixed-size field.  The store refuses
 * over-long strings on the way in, so one here means a database written
 * by something else: refuse it rather than truncate a key or a secret.
 *
 * @return 0 if success, otherwise errorcode
 */
int store_col_str(sqlite3_stmt *stmt, int col, char *buf, size_t sz)
{
	const unsigned char *txt = sqlite3_column_text(stmt, col);
	int n = sqlite3_column_bytes(stmt, col);

	if (!txt) {
		buf[0] = '\0';
		return 0;
	}

	if (n < 0 || (size_t)n >= sz) {
		log_warn("store: column %d holds %d bytes, field has %zu",
			 col, n, sz);
		return EIO;
	}

	memcpy(buf, txt, (size_t)n);
	buf[n] = '\0';

	return 0;
}


/* The strings outlive the statement's use within each call, so SQLite
 * need not copy them. */
int store_bind_str(sqlite3_stmt *stmt, int idx, const char *s)
{
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_STATIC) == SQLITE_OK
		? 0 : ENOMEM;
}


/** Bind a string, or NULL when it is empty (an optional unique column) */
int store_bind_opt(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (!s || !s[0])
		return sqlite3_bind_null(stmt, idx) == SQLITE_OK ? 0 : ENOMEM;

	return store_bind_str(stmt, idx, s);
}


int store_bind_i64(sqlite3_stmt *stmt, int idx, int64_t v)
{
	return sqlite3_bind_int64(stmt, idx, v) == SQLITE_OK ? 0 : ENOMEM;
}

/**
 * Run a query whose parameters are strings, one call per row
 *
 * @param st     Store
 * @param sql    Static SQL text with parameters ?1..?argc
 * @param argv   Parameter values
 * @param argc   Number of parameters
 * @param rowh   Row handler
 * @param arg    Handler argument
 * @param nrowsp Optional number of rows handled
 *
 * @return 0 if success, otherwise errorcode
 */
int store_query(struct store *st, const char *sql, const char *const *argv,
		size_t argc, store_row_h *rowh, void *arg, size_t *nrowsp)
{
	sqlite3_stmt *stmt = NULL;
	size_t i, nrows = 0;
	int rc, err;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	for (i = 0; i < argc; i++) {
		err = store_bind_str(stmt, (int)i + 1, argv[i]);
		if (err)
			goto out;
	}

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = rowh(stmt, arg);
		if (err)
			goto out;
		++nrows;
	}

	if (rc != SQLITE_DONE)
		err = store_sqlerr(st, rc, "query");

 out:
	store_stmt_put(st, stmt);
	if (nrowsp)
		*nrowsp = nrows;

	return err;
}


/**
 * Run a statement that changes rows, with string parameters
 *
 * @return 0 if some row changed, ENOENT if none did, otherwise errorcode
 */
int store_change(struct store *st, const char *sql,
		 const char *const *argv, size_t argc, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int err;

	err = store_stmt_get(st, sql, &stmt);
	if (err)
		return err;

	for (i = 0; i < argc; i++) {
		err = store_bind_str(stmt, (int)i + 1, argv[i]);
		if (err)
			goto out;
	}

	err = store_exec_done(st, stmt, what);
	if (!err && sqlite3_changes(st->db) == 0)
		err = ENOENT;

 out:
	store_stmt_put(st, stmt);
	return err;
}
