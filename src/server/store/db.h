/**
 * @file store/db.h  Private helpers shared by the store's SQLite files
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Not part of the store's interface: only store/ includes this, after
 * <sqlite3.h> and store/store.h.
 */

enum {
	STORE_STMT_MAX = 128,
	STORE_BUSY_TIMEOUT_MS = 3000,
};

/* One prepared statement, keyed by the address of its SQL text */
struct store_stmt {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	struct store_stmt stmtv[STORE_STMT_MAX];
	size_t stmtc;
	store_member_change_h *mchangeh;
	void *mchange_arg;
};

/* store.c */
int  store_sqlerr(struct store *st, int rc, const char *what);
void store_member_changed(struct store *st, const char *app,
			  const char *group);

/* sql.c */
int  store_exec_const(struct store *st, const char *sql);
int  store_stmt_get(struct store *st, const char *sql, sqlite3_stmt **stmtp);
void store_stmt_put(struct store *st, sqlite3_stmt *stmt);
int  store_begin(struct store *st);
int  store_commit(struct store *st);
void store_rollback(struct store *st);
int  store_end(struct store *st, int err);
int  store_exec_done(struct store *st, sqlite3_stmt *stmt, const char *what);
bool store_str_fits(const char *s, size_t sz);
bool store_arg_ok(const char *s, size_t sz);
int  store_col_str(sqlite3_stmt *stmt, int col, char *buf, size_t sz);
int  store_bind_str(sqlite3_stmt *stmt, int idx, const char *s);
int  store_bind_opt(sqlite3_stmt *stmt, int idx, const char *s);
int  store_bind_i64(sqlite3_stmt *stmt, int idx, int64_t v);

/* Decodes one result row; non-zero stops the query with that error */
typedef int (store_row_h)(sqlite3_stmt *stmt, void *arg);
int  store_query(struct store *st, const char *sql, const char *const *argv,
		 size_t argc, store_row_h *rowh, void *arg, size_t *nrowsp);
int  store_change(struct store *st, const char *sql,
		  const char *const *argv, size_t argc, const char *what);

/* schema.c */
int  store_schema_check(struct store *st);
int  store_schema_migrate(struct store *st);

/* A fixed-size struct field: set, NUL-terminated inside the field. */
#define STORE_FIELD_OK(f)  store_str_fits((f), sizeof(f))
#define STORE_FIELD_SET(f) (STORE_FIELD_OK(f) && (f)[0] != '\0')
