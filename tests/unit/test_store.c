/**
 * @file tests/unit/test_store.c  Unit tests of the SQLite store
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include <re.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include <sqlite3.h>
#include <cmocka.h>
#include "store/store.h"


enum { SCHEMA_LATEST = 5 };   /* bump with each migration step */

static const char hostile[] = "O'Brien \"x\" '; DROP TABLE staff;--";

struct fixture {
	struct store *st;
	char app[STORE_ID_SZ];
	char app2[STORE_ID_SZ];
};

struct tmpdb {
	char dir[64];
	char path[96];
};


static void tmpdb_init(struct tmpdb *t)
{
	strcpy(t->dir, "/tmp/ll_store_XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/ll.db", t->dir);
}


static void tmpdb_remove(struct tmpdb *t)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(t->dir);
}


/* Raw access for crafting databases the store did not write */
static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);

	return rc;
}


static int raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db = NULL;
	int v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);

	sqlite3_finalize(stmt);
	sqlite3_close(db);

	return v;
}


static void make_staff(struct store_staff *s, const char *user,
		       const char *ext)
{
	memset(s, 0, sizeof(*s));
	str_ncpy(s->user_id, user, sizeof(s->user_id));
	str_ncpy(s->name, "Name of ", sizeof(s->name));
	strcat(s->name, user);
	str_ncpy(s->phone, "+8613800000000", sizeof(s->phone));
	str_ncpy(s->extension, ext, sizeof(s->extension));
	str_ncpy(s->ha1, "0123456789abcdef0123456789abcdef", sizeof(s->ha1));
}


static void make_group(struct store_group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	str_ncpy(g->name, name, sizeof(g->name));
	str_ncpy(g->strategy, "longest-idle", sizeof(g->strategy));
	g->ring_timeout_s = 20;
	g->wrapup_s = 15;
	g->max_wait_s = 300;
}


static void make_cdr(struct store_cdr *c, const char *app, const char *sid,
		     int64_t offered_ms)
{
	memset(c, 0, sizeof(*c));
	str_ncpy(c->session_id, sid, sizeof(c->session_id));
	str_ncpy(c->sdk_app_id, app, sizeof(c->sdk_app_id));
	c->direction = STORE_DIR_INBOUND;
	str_ncpy(c->caller, "+8613900000001", sizeof(c->caller));
	str_ncpy(c->callee, "4000", sizeof(c->callee));
	str_ncpy(c->group, "sales", sizeof(c->group));
	str_ncpy(c->agent, "alice", sizeof(c->agent));
	c->offered_ms = offered_ms;
	c->queued_ms = offered_ms ? offered_ms + 10 : 0;
	c->ringing_ms = offered_ms + 20;
	c->answered_ms = offered_ms + 3000;
	c->ended_ms = offered_ms + 63000;
	str_ncpy(c->end_status, "answered", sizeof(c->end_status));
	str_ncpy(c->hangup_side, "caller", sizeof(c->hangup_side));
	c->end_scode = 200;
	str_ncpy(c->uui, "uui-data", sizeof(c->uui));
	str_ncpy(c->remark, "", sizeof(c->remark));
	c->duration_s = 60;
}


static void make_sipcred(struct store_sipcred *c, const char *app,
			 const char *user, const char *username,
			 int64_t expires)
{
	memset(c, 0, sizeof(*c));
	str_ncpy(c->username, username, sizeof(c->username));
	str_ncpy(c->sdk_app_id, app, sizeof(c->sdk_app_id));
	str_ncpy(c->user_id, user, sizeof(c->user_id));
	str_ncpy(c->ha1, "fedcba9876543210fedcba9876543210", sizeof(c->ha1));
	c->expires = expires;
}


static void make_reg(struct store_reg *r, const char *app, const char *user,
		     const char *contact, int64_t expires)
{
	memset(r, 0, sizeof(*r));
	str_ncpy(r->sdk_app_id, app, sizeof(r->sdk_app_id));
	str_ncpy(r->user_id, user, sizeof(r->user_id));
	str_ncpy(r->contact, contact, sizeof(r->contact));
	str_ncpy(r->transport, "udp", sizeof(r->transport));
	str_ncpy(r->source, "127.0.0.1:5062", sizeof(r->source));
	r->expires = expires;
}


/* Collectors for the list functions: remember what came, in order */
struct seen {
	size_t n;
	char keyv[128][STORE_NAME_SZ];
	struct store_staff staff;
	struct store_cdr cdr;
	struct store_reg reg;
	uint32_t level;
};

static void seen_key(struct seen *sn, const char *key)
{
	if (sn->n < ARRAY_SIZE(sn->keyv))
		str_ncpy(sn->keyv[sn->n], key, sizeof(sn->keyv[0]));
	++sn->n;
}

static void app_h(const struct store_app *a, void *arg)
{
	seen_key(arg, a->sdk_app_id);
}

static void staff_h(const struct store_staff *s, void *arg)
{
	struct seen *sn = arg;

	sn->staff = *s;
	seen_key(sn, s->user_id);
}

static void group_h(const struct store_group *g, void *arg)
{
	seen_key(arg, g->name);
}

static void member_user_h(const struct store_member *m, void *arg)
{
	struct seen *sn = arg;

	sn->level = m->level;
	seen_key(sn, m->group);
}

static void member_group_h(const struct store_member *m, void *arg)
{
	seen_key(arg, m->user_id);
}

static void number_h(const struct store_number *n, void *arg)
{
	seen_key(arg, n->number);
}

static void reg_h(const struct store_reg *r, void *arg)
{
	struct seen *sn = arg;

	sn->reg = *r;
	seen_key(sn, r->user_id);
}

static void cdr_h(const struct store_cdr *c, void *arg)
{
	struct seen *sn = arg;

	if (sn->n == 0)
		sn->cdr = *c;
	seen_key(sn, c->session_id);
}


static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct store_app a;

	if (!f || store_open(&f->st, ":memory:"))
		return -1;

	memset(&a, 0, sizeof(a));
	if (store_app_create(f->st, &a))
		return -1;
	str_ncpy(f->app, a.sdk_app_id, sizeof(f->app));

	memset(&a, 0, sizeof(a));
	if (store_app_create(f->st, &a))
		return -1;
	str_ncpy(f->app2, a.sdk_app_id, sizeof(f->app2));

	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fixture *f = *state;

	mem_deref(f->st);
	free(f);

	return 0;
}


static void test_open_memory(void **state)
{
	struct store *st = NULL;
	int version = -1;

	(void)state;

	assert_int_equal(store_open(&st, ":memory:"), 0);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);

	mem_deref(st);
}


static void test_open_bad_args(void **state)
{
	struct store *st = NULL;
	int version;

	(void)state;

	assert_int_equal(store_open(NULL, ":memory:"), EINVAL);
	assert_int_equal(store_open(&st, NULL), EINVAL);
	assert_int_equal(store_open(&st, ""), EINVAL);
	assert_null(st);
	assert_int_not_equal(store_open(&st, "/nonexistent/dir/ll.db"), 0);
	assert_null(st);
	assert_int_equal(store_schema_version(NULL, &version), EINVAL);
}


static void test_open_file_reopen(void **state)
{
	struct store *st = NULL;
	struct store_app a, a2;
	struct store_staff s;
	struct store_group g;
	struct store_member m;
	struct store_number n;
	struct store_reg r;
	struct store_cdr c;
	struct seen sn;
	struct tmpdb t;
	char app[STORE_ID_SZ];
	int version = 0;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(store_open(&st, t.path), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_app_create(st, &a), 0);
	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(st, a.sdk_app_id, &s), 0);
	make_group(&g, "sales");
	assert_int_equal(store_group_add(st, a.sdk_app_id, &g), 0);
	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, "alice", sizeof(m.user_id));
	str_ncpy(m.group, "sales", sizeof(m.group));
	m.level = 3;
	assert_int_equal(store_member_add(st, a.sdk_app_id, &m), 0);
	memset(&n, 0, sizeof(n));
	str_ncpy(n.number, "4000", sizeof(n.number));
	str_ncpy(n.group, "sales", sizeof(n.group));
	assert_int_equal(store_number_add(st, a.sdk_app_id, &n), 0);
	make_reg(&r, a.sdk_app_id, "alice", "sip:alice@127.0.0.1:5062",
		 4000000000LL);
	assert_int_equal(store_reg_set(st, &r), 0);
	make_cdr(&c, a.sdk_app_id, "sess-1", 1700000000000LL);
	assert_int_equal(store_cdr_add(st, &c), 0);
	assert_int_equal(store_token_add(st, a.sdk_app_id, "alice", "n1",
					 4000000000LL), 0);
	assert_int_equal(store_token_consume(st, "n1"), 0);
	st = mem_deref(st);

	/* The store asked for WAL; it is a property of the file. */
	assert_int_equal(raw_int(t.path, "SELECT journal_mode = 'wal' FROM"
				 " pragma_journal_mode"), 1);

	assert_int_equal(store_open(&st, t.path), 0);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);

	assert_int_equal(store_app_get(st, a.sdk_app_id, &a2), 0);
	assert_string_equal(a2.secret_id, a.secret_id);
	assert_string_equal(a2.secret_key, a.secret_key);
	assert_string_equal(a2.token_key, a.token_key);
	assert_true(a2.created == a.created);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_staff_by_extension(st, "1001", app,
						  sizeof(app), &s), 0);
	assert_string_equal(app, a.sdk_app_id);
	assert_string_equal(s.user_id, "alice");
	assert_string_equal(s.name, "Name of alice");

	assert_int_equal(store_group_get(st, a.sdk_app_id, "sales", &g), 0);
	assert_int_equal(g.wrapup_s, 15);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_group(st, a.sdk_app_id,
						    "sales",
						    member_group_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "alice");

	assert_int_equal(store_number_get(st, "4000", app, sizeof(app), &n),
			 0);
	assert_string_equal(n.group, "sales");

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.reg.contact, "sip:alice@127.0.0.1:5062");

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(st, a.sdk_app_id, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.cdr.session_id, "sess-1");
	assert_true(sn.cdr.ended_ms == 1700000063000LL);

	/* A used token stays used across a restart. */
	assert_int_equal(store_token_consume(st, "n1"), EALREADY);

	mem_deref(st);
	tmpdb_remove(&t);
}


/* Two connections to one file, as two processes would have */
static void test_two_connections(void **state)
{
	struct store *a = NULL, *b = NULL;
	struct store_app app;
	struct store_staff s;
	struct tmpdb t;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(store_open(&a, t.path), 0);
	assert_int_equal(store_open(&b, t.path), 0);

	memset(&app, 0, sizeof(app));
	assert_int_equal(store_app_create(a, &app), 0);
	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(a, app.sdk_app_id, &s), 0);
	assert_int_equal(store_token_add(a, app.sdk_app_id, "alice", "n",
					 4000000000LL), 0);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_staff_get(b, app.sdk_app_id, "alice", &s), 0);
	assert_string_equal(s.extension, "1001");

	/* Single use holds across connections too */
	assert_int_equal(store_token_consume(b, "n"), 0);
	assert_int_equal(store_token_consume(a, "n"), EALREADY);

	mem_deref(b);
	mem_deref(a);
	tmpdb_remove(&t);
}


static void test_newer_version_refused(void **state)
{
	struct store *st = NULL;
	struct tmpdb t;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(raw_exec(t.path, "CREATE TABLE future (x);"
				  "PRAGMA user_version = 99;"), SQLITE_OK);

	assert_int_equal(store_open(&st, t.path), EPROTO);
	assert_null(st);

	/* Refused means untouched. */
	assert_int_equal(raw_int(t.path, "PRAGMA user_version"), 99);
	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name = 'staff'"), 0);
	assert_int_equal(raw_int(t.path, "SELECT journal_mode = 'delete'"
				 " FROM pragma_journal_mode"), 1);

	tmpdb_remove(&t);
}


static void test_not_a_database(void **state)
{
	struct store *st = NULL;
	struct tmpdb t;
	FILE *fp;
	int i;

	(void)state;
	tmpdb_init(&t);

	fp = fopen(t.path, "wb");
	assert_non_null(fp);
	for (i = 0; i < 4096; i++)
		fputc(0x5a ^ i, fp);
	fclose(fp);

	assert_int_equal(store_open(&st, t.path), EIO);
	assert_null(st);

	tmpdb_remove(&t);
}


/* A v3 database (before IVR menus) is migrated to v4: its numbers get
 * no menu and priority 0, and menus can be added. */
static void test_v3_migrated(void **state)
{
	struct store *st = NULL;
	struct store_app a;
	struct store_group g;
	struct store_number n;
	struct store_ivr m;
	struct tmpdb t;
	char app[STORE_ID_SZ];
	int version = -1;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(store_open(&st, t.path), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_app_create(st, &a), 0);
	make_group(&g, "sales");
	assert_int_equal(store_group_add(st, a.sdk_app_id, &g), 0);
	memset(&n, 0, sizeof(n));
	str_ncpy(n.number, "4000", sizeof(n.number));
	str_ncpy(n.group, "sales", sizeof(n.group));
	assert_int_equal(store_number_add(st, a.sdk_app_id, &n), 0);
	st = mem_deref(st);

	assert_int_equal(raw_exec(t.path,
				  "DROP TABLE credentials;"
				  "DROP INDEX cdrs_by_agent;"
				  "DROP TABLE ivr_menus;"
				  "DROP INDEX numbers_by_ivr;"
				  "ALTER TABLE numbers DROP COLUMN ivr;"
				  "ALTER TABLE numbers DROP COLUMN priority;"
				  "PRAGMA user_version = 3;"), SQLITE_OK);

	assert_int_equal(store_open(&st, t.path), 0);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);

	memset(&n, 0xff, sizeof(n));
	assert_int_equal(store_number_get(st, "4000", app, sizeof(app), &n),
			 0);
	assert_string_equal(n.group, "sales");
	assert_string_equal(n.ivr, "");
	assert_int_equal(n.priority, 0);

	memset(&m, 0, sizeof(m));
	str_ncpy(m.name, "main", sizeof(m.name));
	str_ncpy(m.spec, "{}", sizeof(m.spec));
	assert_int_equal(store_ivr_set(st, a.sdk_app_id, &m, NULL), 0);
	st = mem_deref(st);

	tmpdb_remove(&t);
}


static void ivr_h(const struct store_ivr *m, void *arg)
{
	struct seen *sn = arg;

	if (sn->n < ARRAY_SIZE(sn->keyv))
		str_ncpy(sn->keyv[sn->n], m->name, sizeof(sn->keyv[0]));
	++sn->n;
}


static void test_ivr_menus(void **state)
{
	struct fixture *f = *state;
	struct store_ivr m, got;
	struct store_number n;
	struct store_group g;
	struct seen sn;
	char app[STORE_ID_SZ];
	bool created = false;
	uint32_t users = 9;

	memset(&m, 0, sizeof(m));
	str_ncpy(m.name, "main", sizeof(m.name));
	str_ncpy(m.spec, "{\"prompt\":\"a\"}", sizeof(m.spec));
	m.created = 55;
	assert_int_equal(store_ivr_set(f->st, f->app, &m, &created), 0);
	assert_true(created);

	/* replaced: same name, new spec, created kept */
	str_ncpy(m.spec, "{\"prompt\":\"b\"}", sizeof(m.spec));
	m.created = 66;
	assert_int_equal(store_ivr_set(f->st, f->app, &m, &created), 0);
	assert_false(created);
	assert_int_equal(store_ivr_get(f->st, f->app, "main", &got), 0);
	assert_string_equal(got.spec, "{\"prompt\":\"b\"}");
	assert_true(got.created == 55);

	/* per application */
	assert_int_equal(store_ivr_get(f->st, f->app2, "main", &got), ENOENT);
	str_ncpy(m.name, "billing", sizeof(m.name));
	assert_int_equal(store_ivr_set(f->st, f->app, &m, NULL), 0);
	assert_int_equal(store_ivr_set(f->st, "nosuchapp", &m, NULL), ENOENT);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_ivr_list(f->st, f->app, ivr_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.keyv[0], "billing");
	assert_string_equal(sn.keyv[1], "main");

	/* a number that uses a menu keeps it, with its priority */
	make_group(&g, "sales");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	memset(&n, 0, sizeof(n));
	str_ncpy(n.number, "4000", sizeof(n.number));
	str_ncpy(n.ivr, "main", sizeof(n.ivr));
	n.priority = 7;
	assert_int_equal(store_number_add(f->st, f->app, &n), 0);
	memset(&n, 0, sizeof(n));
	assert_int_equal(store_number_get(f->st, "4000", app, sizeof(app),
					  &n), 0);
	assert_string_equal(n.ivr, "main");
	assert_string_equal(n.group, "");
	assert_int_equal(n.priority, 7);

	assert_int_equal(store_ivr_numbers_using(f->st, f->app, "main",
						 &users), 0);
	assert_int_equal(users, 1);
	assert_int_equal(store_ivr_delete(f->st, f->app, "main"), EBUSY);
	assert_int_equal(store_ivr_get(f->st, f->app, "main", &got), 0);
	assert_int_equal(store_number_delete(f->st, f->app, "4000"), 0);
	assert_int_equal(store_ivr_delete(f->st, f->app, "main"), 0);
	assert_int_equal(store_ivr_delete(f->st, f->app, "main"), ENOENT);

	/* bad arguments */
	memset(&m, 0, sizeof(m));
	assert_int_equal(store_ivr_set(f->st, f->app, &m, NULL), EINVAL);
	assert_int_equal(store_ivr_get(f->st, f->app, NULL, &got), EINVAL);
}


static void test_old_version_migrated(void **state)
{
	struct store *st = NULL;
	struct tmpdb t;
	int version = -1;

	(void)state;
	tmpdb_init(&t);

	/* A version-0 file with something in it already */
	assert_int_equal(raw_exec(t.path, "CREATE TABLE other (x);"
				  "INSERT INTO other VALUES (7);"),
			 SQLITE_OK);

	assert_int_equal(store_open(&st, t.path), 0);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);
	st = mem_deref(st);

	assert_int_equal(raw_int(t.path, "PRAGMA user_version"),
			 SCHEMA_LATEST);
	assert_int_equal(raw_int(t.path, "SELECT x FROM other"), 7);
	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name IN ('staff', 'cdrs', 'tokens')"),
			 3);

	tmpdb_remove(&t);
}


static bool all_of(const char *s, int (*isx)(int))
{
	for (; *s; s++) {
		if (!isx((unsigned char)*s))
			return false;
	}
	return true;
}


static int is_lower_hex(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f');
}


static void test_app(void **state)
{
	struct fixture *f = *state;
	struct store_app a, b;
	struct seen sn;
	unsigned long id;

	memset(&a, 0, sizeof(a));
	assert_int_equal(store_app_create(f->st, &a), 0);

	assert_int_equal(strlen(a.sdk_app_id), 10);
	assert_true(all_of(a.sdk_app_id, isdigit));
	id = strtoul(a.sdk_app_id, NULL, 10);
	assert_true(id >= 1400000000UL && id < 1500000000UL);

	assert_int_equal(strlen(a.secret_id), 36);
	assert_memory_equal(a.secret_id, "AKID", 4);
	assert_true(all_of(a.secret_id, isalnum));
	assert_true(strlen(a.secret_key) >= 32);
	assert_true(all_of(a.secret_key, isalnum));
	assert_int_equal(strlen(a.token_key), 64);
	assert_true(all_of(a.token_key, is_lower_hex));
	assert_true(a.created > 1600000000);

	/* Distinct from the fixture's apps */
	assert_string_not_equal(a.sdk_app_id, f->app);
	assert_int_equal(store_app_get(f->st, f->app, &b), 0);
	assert_string_not_equal(a.secret_id, b.secret_id);
	assert_string_not_equal(a.secret_key, b.secret_key);
	assert_string_not_equal(a.token_key, b.token_key);

	memset(&b, 0, sizeof(b));
	assert_int_equal(store_app_by_secret_id(f->st, a.secret_id, &b), 0);
	assert_string_equal(b.sdk_app_id, a.sdk_app_id);
	assert_string_equal(b.secret_key, a.secret_key);

	assert_int_equal(store_app_get(f->st, "1399999999", &b), ENOENT);
	assert_int_equal(store_app_by_secret_id(f->st, "AKIDnope", &b),
			 ENOENT);

	/* Given fields are kept, missing ones generated */
	memset(&b, 0, sizeof(b));
	str_ncpy(b.sdk_app_id, "1400000001", sizeof(b.sdk_app_id));
	assert_int_equal(store_app_create(f->st, &b), 0);
	assert_string_equal(b.sdk_app_id, "1400000001");
	assert_memory_equal(b.secret_id, "AKID", 4);

	/* A given id that exists */
	memset(&b, 0, sizeof(b));
	str_ncpy(b.sdk_app_id, "1400000001", sizeof(b.sdk_app_id));
	assert_int_equal(store_app_create(f->st, &b), EEXIST);
	memset(&b, 0, sizeof(b));
	str_ncpy(b.secret_id, a.secret_id, sizeof(b.secret_id));
	assert_int_equal(store_app_create(f->st, &b), EEXIST);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_app_list(f->st, app_h, &sn), 0);
	assert_int_equal(sn.n, 4);
}


static void test_staff(void **state)
{
	struct fixture *f = *state;
	struct store_staff s, g;
	char app[STORE_ID_SZ];
	struct seen sn;

	make_staff(&s, "bob", "1002");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "alice", "1001");
	s.created = 1234;
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_staff_get(f->st, f->app, "alice", &g), 0);
	assert_string_equal(g.user_id, "alice");
	assert_string_equal(g.name, "Name of alice");
	assert_string_equal(g.phone, "+8613800000000");
	assert_string_equal(g.extension, "1001");
	assert_string_equal(g.ha1, "0123456789abcdef0123456789abcdef");
	assert_true(g.created == 1234);

	/* Same user id: duplicate in its app, fine in another */
	make_staff(&s, "alice", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), EEXIST);
	assert_int_equal(store_staff_add(f->st, f->app2, &s), 0);
	assert_int_equal(store_staff_get(f->st, f->app2, "bob", &g), ENOENT);

	/* Extensions are unique across the server */
	make_staff(&s, "carol", "1001");
	assert_int_equal(store_staff_add(f->st, f->app2, &s), EEXIST);

	/* Any number of staff may have no extension */
	make_staff(&s, "dave", "");
	assert_int_equal(store_staff_add(f->st, f->app2, &s), 0);
	assert_int_equal(store_staff_get(f->st, f->app2, "dave", &g), 0);
	assert_string_equal(g.extension, "");

	assert_int_equal(store_staff_by_extension(f->st, "1002", app,
						  sizeof(app), &g), 0);
	assert_string_equal(app, f->app);
	assert_string_equal(g.user_id, "bob");
	assert_int_equal(store_staff_by_extension(f->st, "9999", app,
						  sizeof(app), &g), ENOENT);
	assert_int_equal(store_staff_by_extension(f->st, "", app,
						  sizeof(app), &g), EINVAL);
	assert_int_equal(store_staff_by_extension(f->st, "1002", app, 4, &g),
			 ENOBUFS);

	/* Unknown application */
	make_staff(&s, "erin", "");
	assert_int_equal(store_staff_add(f->st, "1399999999", &s), ENOENT);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_staff_list(f->st, f->app, staff_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.keyv[0], "alice");
	assert_string_equal(sn.keyv[1], "bob");

	/* Update */
	make_staff(&s, "bob", "2002");
	str_ncpy(s.name, "Robert", sizeof(s.name));
	assert_int_equal(store_staff_update(f->st, f->app, &s), 0);
	assert_int_equal(store_staff_get(f->st, f->app, "bob", &g), 0);
	assert_string_equal(g.name, "Robert");
	assert_string_equal(g.extension, "2002");
	assert_int_equal(store_staff_by_extension(f->st, "1002", app,
						  sizeof(app), &g), ENOENT);
	make_staff(&s, "bob", "1001");
	assert_int_equal(store_staff_update(f->st, f->app, &s), EEXIST);
	make_staff(&s, "nobody", "");
	assert_int_equal(store_staff_update(f->st, f->app, &s), ENOENT);

	/* Delete */
	assert_int_equal(store_staff_delete(f->st, f->app, "bob"), 0);
	assert_int_equal(store_staff_delete(f->st, f->app, "bob"), ENOENT);
	assert_int_equal(store_staff_get(f->st, f->app, "bob", &g), ENOENT);
	assert_int_equal(store_staff_delete(f->st, f->app2, "nobody"),
			 ENOENT);
	/* The other app's alice is untouched by this app's delete */
	assert_int_equal(store_staff_delete(f->st, f->app, "alice"), 0);
	assert_int_equal(store_staff_get(f->st, f->app2, "alice", &g), 0);
}


static void add_member(struct fixture *f, const char *app, const char *user,
		       const char *group, uint32_t level, int expect)
{
	struct store_member m;

	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, user, sizeof(m.user_id));
	str_ncpy(m.group, group, sizeof(m.group));
	m.level = level;
	assert_int_equal(store_member_add(f->st, app, &m), expect);
}


static void test_group_member(void **state)
{
	struct fixture *f = *state;
	struct store_staff s;
	struct store_group g;
	struct seen sn;

	make_group(&g, "support");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	make_group(&g, "sales");
	g.created = 99;
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	assert_int_equal(store_group_add(f->st, f->app, &g), EEXIST);
	assert_int_equal(store_group_add(f->st, f->app2, &g), 0);
	assert_int_equal(store_group_add(f->st, "1399999999", &g), ENOENT);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_group_get(f->st, f->app, "sales", &g), 0);
	assert_string_equal(g.name, "sales");
	assert_string_equal(g.strategy, "longest-idle");
	assert_int_equal(g.ring_timeout_s, 20);
	assert_int_equal(g.wrapup_s, 15);
	assert_int_equal(g.max_wait_s, 300);
	assert_true(g.created == 99);
	assert_int_equal(store_group_get(f->st, f->app, "nope", &g), ENOENT);

	str_ncpy(g.strategy, "round-robin", sizeof(g.strategy));
	g.wrapup_s = 0xffffffffu;
	assert_int_equal(store_group_update(f->st, f->app, &g), 0);
	assert_int_equal(store_group_get(f->st, f->app, "sales", &g), 0);
	assert_string_equal(g.strategy, "round-robin");
	assert_int_equal(g.wrapup_s, 0xffffffffu);
	make_group(&g, "nope");
	assert_int_equal(store_group_update(f->st, f->app, &g), ENOENT);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_group_list(f->st, f->app, group_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.keyv[0], "sales");
	assert_string_equal(sn.keyv[1], "support");

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "1002");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	add_member(f, f->app, "alice", "sales", 5, 0);
	add_member(f, f->app, "alice", "support", 1, 0);
	add_member(f, f->app, "bob", "sales", 2, 0);
	add_member(f, f->app, "alice", "sales", 3, EEXIST);
	add_member(f, f->app, "zed", "sales", 3, ENOENT);
	add_member(f, f->app, "alice", "nogroup", 3, ENOENT);
	/* Scoped: app2 has a "sales" group but no alice */
	add_member(f, f->app2, "alice", "sales", 3, ENOENT);
	add_member(f, f->app, "bob", "support", 0, EINVAL);
	add_member(f, f->app, "bob", "support", 6, EINVAL);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_user(f->st, f->app, "bob",
						   member_user_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "sales");
	assert_int_equal(sn.level, 2);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_group(f->st, f->app, "sales",
						    member_group_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.keyv[0], "alice");
	assert_string_equal(sn.keyv[1], "bob");

	assert_int_equal(store_member_delete(f->st, f->app, "bob", "sales"),
			 0);
	assert_int_equal(store_member_delete(f->st, f->app, "bob", "sales"),
			 ENOENT);

	/* Deleting a group takes its memberships with it */
	assert_int_equal(store_group_delete(f->st, f->app, "support"), 0);
	assert_int_equal(store_group_delete(f->st, f->app, "support"),
			 ENOENT);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_user(f->st, f->app, "alice",
						   member_user_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "sales");
	assert_int_equal(sn.level, 5);
}


static void test_staff_delete_cascade(void **state)
{
	struct fixture *f = *state;
	struct store_sipcred c;
	struct store_staff s;
	struct store_group g;
	struct store_reg r;
	struct seen sn;

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "1002");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_group(&g, "sales");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	add_member(f, f->app, "alice", "sales", 1, 0);
	add_member(f, f->app, "bob", "sales", 1, 0);
	make_reg(&r, f->app, "alice", "sip:a@127.0.0.1", 4000000000LL);
	assert_int_equal(store_reg_set(f->st, &r), 0);
	make_reg(&r, f->app, "bob", "sip:b@127.0.0.1", 4000000000LL);
	assert_int_equal(store_reg_set(f->st, &r), 0);
	assert_int_equal(store_token_add(f->st, f->app, "alice", "tok-a",
					 4000000000LL), 0);
	make_sipcred(&c, f->app, "alice", "u-alice", 4000000000LL);
	assert_int_equal(store_sipcred_add(f->st, &c), 0);

	assert_int_equal(store_staff_delete(f->st, f->app, "alice"), 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_group(f->st, f->app, "sales",
						    member_group_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "bob");

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(f->st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "bob");

	assert_int_equal(store_token_consume(f->st, "tok-a"), ENOENT);
	assert_int_equal(store_sipcred_get(f->st, "u-alice", &c), ENOENT);

	/* The extension is free again */
	make_staff(&s, "carol", "1001");
	assert_int_equal(store_staff_add(f->st, f->app2, &s), 0);
}


static void test_number(void **state)
{
	struct fixture *f = *state;
	struct store_number n;
	struct store_group g;
	char app[STORE_ID_SZ];
	struct seen sn;

	make_group(&g, "sales");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);

	memset(&n, 0, sizeof(n));
	str_ncpy(n.number, "4000", sizeof(n.number));
	str_ncpy(n.group, "sales", sizeof(n.group));
	n.created = 77;
	assert_int_equal(store_number_add(f->st, f->app, &n), 0);
	assert_int_equal(store_number_add(f->st, f->app, &n), EEXIST);
	/* Unique across the server, and app2 has no group "sales" anyway */
	assert_int_equal(store_number_add(f->st, f->app2, &n), EEXIST);

	str_ncpy(n.number, "4001", sizeof(n.number));
	str_ncpy(n.group, "nogroup", sizeof(n.group));
	assert_int_equal(store_number_add(f->st, f->app, &n), ENOENT);
	assert_int_equal(store_number_add(f->st, f->app2, &n), ENOENT);
	str_ncpy(n.group, "", sizeof(n.group));
	assert_int_equal(store_number_add(f->st, f->app2, &n), 0);

	memset(&n, 0, sizeof(n));
	assert_int_equal(store_number_get(f->st, "4000", app, sizeof(app),
					  &n), 0);
	assert_string_equal(app, f->app);
	assert_string_equal(n.number, "4000");
	assert_string_equal(n.group, "sales");
	assert_true(n.created == 77);
	assert_int_equal(store_number_get(f->st, "4001", app, sizeof(app),
					  &n), 0);
	assert_string_equal(app, f->app2);
	assert_string_equal(n.group, "");
	assert_int_equal(store_number_get(f->st, "4999", app, sizeof(app),
					  &n), ENOENT);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_number_list(f->st, f->app, number_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "4000");

	/* A group a number routes to cannot go */
	assert_int_equal(store_group_delete(f->st, f->app, "sales"), EBUSY);
	assert_int_equal(store_group_get(f->st, f->app, "sales", &g), 0);

	/* Numbers are deleted within their app only */
	assert_int_equal(store_number_delete(f->st, f->app2, "4000"),
			 ENOENT);
	assert_int_equal(store_number_delete(f->st, f->app, "4000"), 0);
	assert_int_equal(store_number_delete(f->st, f->app, "4000"), ENOENT);
	assert_int_equal(store_group_delete(f->st, f->app, "sales"), 0);
}


static void test_token(void **state)
{
	struct fixture *f = *state;
	struct store_staff s;

	make_staff(&s, "alice", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	assert_int_equal(store_token_add(f->st, f->app, "alice", "nonce-1",
					 2000), 0);
	assert_int_equal(store_token_add(f->st, f->app, "alice", "nonce-1",
					 2000), EEXIST);
	assert_int_equal(store_token_add(f->st, f->app, "ghost", "nonce-2",
					 2000), ENOENT);
	assert_int_equal(store_token_add(f->st, f->app2, "alice", "nonce-3",
					 2000), ENOENT);

	assert_int_equal(store_token_consume(f->st, "nonce-1"), 0);
	assert_int_equal(store_token_consume(f->st, "nonce-1"), EALREADY);
	assert_int_equal(store_token_consume(f->st, "nonce-1"), EALREADY);
	assert_int_equal(store_token_consume(f->st, "nonce-2"), ENOENT);
	assert_int_equal(store_token_consume(f->st, "never"), ENOENT);
}


static void test_sipcred_reg(void **state)
{
	struct fixture *f = *state;
	struct store_sipcred c, c2;
	struct store_staff s;
	struct store_reg r;
	struct seen sn;

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	make_sipcred(&c, f->app, "alice", "u1", 5000);
	assert_int_equal(store_sipcred_add(f->st, &c), 0);
	assert_int_equal(store_sipcred_add(f->st, &c), EEXIST);
	make_sipcred(&c2, f->app, "ghost", "u2", 5000);
	assert_int_equal(store_sipcred_add(f->st, &c2), ENOENT);

	memset(&c2, 0, sizeof(c2));
	assert_int_equal(store_sipcred_get(f->st, "u1", &c2), 0);
	assert_string_equal(c2.username, "u1");
	assert_string_equal(c2.sdk_app_id, f->app);
	assert_string_equal(c2.user_id, "alice");
	assert_string_equal(c2.ha1, c.ha1);
	assert_true(c2.expires == 5000);
	assert_int_equal(store_sipcred_get(f->st, "u2", &c2), ENOENT);

	make_reg(&r, f->app, "alice", "sip:alice-1@10.0.0.1:5060", 100);
	assert_int_equal(store_reg_set(f->st, &r), 0);
	/* set replaces */
	make_reg(&r, f->app, "alice", "sip:alice-2@10.0.0.2:5070", 200);
	str_ncpy(r.transport, "tcp", sizeof(r.transport));
	assert_int_equal(store_reg_set(f->st, &r), 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(f->st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.reg.sdk_app_id, f->app);
	assert_string_equal(sn.reg.contact, "sip:alice-2@10.0.0.2:5070");
	assert_string_equal(sn.reg.transport, "tcp");
	assert_string_equal(sn.reg.source, "127.0.0.1:5062");
	assert_true(sn.reg.expires == 200);

	make_reg(&r, f->app, "ghost", "sip:g@10.0.0.3", 100);
	assert_int_equal(store_reg_set(f->st, &r), ENOENT);

	assert_int_equal(store_reg_delete(f->st, f->app, "alice"), 0);
	assert_int_equal(store_reg_delete(f->st, f->app, "alice"), ENOENT);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(f->st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 0);
}


static void test_expire(void **state)
{
	struct fixture *f = *state;
	struct store_sipcred c;
	struct store_staff s;
	struct store_reg r;
	struct seen sn;

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "1002");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	assert_int_equal(store_token_add(f->st, f->app, "alice", "old-unused",
					 100), 0);
	assert_int_equal(store_token_add(f->st, f->app, "alice", "old-used",
					 100), 0);
	assert_int_equal(store_token_add(f->st, f->app, "alice", "new-used",
					 200), 0);
	assert_int_equal(store_token_add(f->st, f->app, "alice", "new-unused",
					 200), 0);
	assert_int_equal(store_token_consume(f->st, "old-used"), 0);
	assert_int_equal(store_token_consume(f->st, "new-used"), 0);

	make_sipcred(&c, f->app, "alice", "cred-old", 100);
	assert_int_equal(store_sipcred_add(f->st, &c), 0);
	make_sipcred(&c, f->app, "alice", "cred-new", 200);
	assert_int_equal(store_sipcred_add(f->st, &c), 0);

	make_reg(&r, f->app, "alice", "sip:a@10.0.0.1", 100);
	assert_int_equal(store_reg_set(f->st, &r), 0);
	make_reg(&r, f->app, "bob", "sip:b@10.0.0.1", 200);
	assert_int_equal(store_reg_set(f->st, &r), 0);

	/* Nothing is due yet */
	assert_int_equal(store_expire(f->st, 99), 0);
	assert_int_equal(store_token_consume(f->st, "old-used"), EALREADY);

	assert_int_equal(store_expire(f->st, 150), 0);

	assert_int_equal(store_token_consume(f->st, "old-unused"), ENOENT);
	assert_int_equal(store_token_consume(f->st, "old-used"), ENOENT);
	/* A used token that has not expired still reads as a replay */
	assert_int_equal(store_token_consume(f->st, "new-used"), EALREADY);
	assert_int_equal(store_token_consume(f->st, "new-unused"), 0);

	assert_int_equal(store_sipcred_get(f->st, "cred-old", &c), ENOENT);
	assert_int_equal(store_sipcred_get(f->st, "cred-new", &c), 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(f->st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "bob");

	/* expires == now counts as expired */
	assert_int_equal(store_expire(f->st, 200), 0);
	assert_int_equal(store_token_consume(f->st, "new-used"), ENOENT);
	assert_int_equal(store_sipcred_get(f->st, "cred-new", &c), ENOENT);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_reg_list(f->st, reg_h, &sn), 0);
	assert_int_equal(sn.n, 0);

	/* Staff are not housekeeping's business */
	assert_int_equal(store_staff_get(f->st, f->app, "alice", &s), 0);
	assert_int_equal(store_expire(NULL, 0), EINVAL);
}


static void test_cdr(void **state)
{
	struct fixture *f = *state;
	struct store_cdr c;
	struct seen sn;
	char sid[32];
	int i;

	make_cdr(&c, f->app, "s-old", 1000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "s-new", 3000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "s-mid", 2000000);
	c.direction = STORE_DIR_OUTBOUND;
	c.end_scode = 486;
	str_ncpy(c.end_status, "rejected", sizeof(c.end_status));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	assert_int_equal(store_cdr_add(f->st, &c), EEXIST);
	/* Outbound: no offered stage; ordered by when it started ringing */
	make_cdr(&c, f->app, "s-out", 0);
	c.ringing_ms = 2500000;
	c.direction = STORE_DIR_OUTBOUND;
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app2, "s-other", 9000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	c.direction = (enum store_direction)7;
	str_ncpy(c.session_id, "s-bad", sizeof(c.session_id));
	assert_int_equal(store_cdr_add(f->st, &c), EINVAL);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 4);
	assert_string_equal(sn.keyv[0], "s-new");
	assert_string_equal(sn.keyv[1], "s-out");
	assert_string_equal(sn.keyv[2], "s-mid");
	assert_string_equal(sn.keyv[3], "s-old");

	/* Every field comes back */
	assert_string_equal(sn.cdr.session_id, "s-new");
	assert_string_equal(sn.cdr.sdk_app_id, f->app);
	assert_int_equal(sn.cdr.direction, STORE_DIR_INBOUND);
	assert_string_equal(sn.cdr.caller, "+8613900000001");
	assert_string_equal(sn.cdr.callee, "4000");
	assert_string_equal(sn.cdr.group, "sales");
	assert_string_equal(sn.cdr.agent, "alice");
	assert_true(sn.cdr.offered_ms == 3000000);
	assert_true(sn.cdr.queued_ms == 3000010);
	assert_true(sn.cdr.ringing_ms == 3000020);
	assert_true(sn.cdr.answered_ms == 3003000);
	assert_true(sn.cdr.ended_ms == 3063000);
	assert_string_equal(sn.cdr.end_status, "answered");
	assert_string_equal(sn.cdr.hangup_side, "caller");
	assert_int_equal(sn.cdr.end_scode, 200);
	assert_string_equal(sn.cdr.uui, "uui-data");
	assert_string_equal(sn.cdr.remark, "");
	assert_int_equal(sn.cdr.duration_s, 60);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 2, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_string_equal(sn.keyv[1], "s-out");

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app2, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);

	/* limit 0 is 100, not everything */
	for (i = 0; i < 120; i++) {
		snprintf(sid, sizeof(sid), "bulk-%03d", i);
		make_cdr(&c, f->app2, sid, 10000000 + i);
		assert_int_equal(store_cdr_add(f->st, &c), 0);
	}
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app2, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 100);
	assert_string_equal(sn.keyv[0], "bulk-119");
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app2, 500, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 121);
	assert_string_equal(sn.keyv[120], "s-other");
}


static void test_hostile_strings(void **state)
{
	struct fixture *f = *state;
	char binary[STORE_NAME_SZ];
	char allbytes[STORE_TEXT_SZ];
	struct store_staff s, g;
	struct store_group grp;
	struct store_cdr c;
	struct seen sn;
	size_t i;

	/* Bytes from 0xff down, and every byte value but NUL */
	for (i = 0; i < sizeof(binary) - 1; i++)
		binary[i] = (char)(0xff - i);
	binary[sizeof(binary) - 1] = '\0';
	for (i = 0; i < sizeof(allbytes) - 1; i++)
		allbytes[i] = (char)(i + 1);
	allbytes[sizeof(allbytes) - 1] = '\0';

	make_staff(&s, hostile, "");
	str_ncpy(s.name, binary, sizeof(s.name));
	str_ncpy(s.phone, "\xe5\xbc\xa0\xe4\xb8\x89 \xf0\x9f\x93\x9e",
		 sizeof(s.phone));
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_staff_get(f->st, f->app, hostile, &g), 0);
	assert_string_equal(g.user_id, hostile);
	assert_memory_equal(g.name, binary, sizeof(binary));
	assert_string_equal(g.phone, s.phone);

	/* High bytes that are not valid UTF-8, in a key */
	make_staff(&s, "\xff\xfe\x80 x", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	assert_int_equal(store_staff_get(f->st, f->app, "\xff\xfe\x80 x", &g),
			 0);
	assert_string_equal(g.user_id, "\xff\xfe\x80 x");

	make_group(&grp, hostile);
	assert_int_equal(store_group_add(f->st, f->app, &grp), 0);
	add_member(f, f->app, hostile, hostile, 1, 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_member_list_by_user(f->st, f->app, hostile,
						   member_user_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], hostile);

	make_cdr(&c, f->app, hostile, 5);
	memcpy(c.remark, allbytes, sizeof(c.remark));
	str_ncpy(c.uui, "%s%n%x\\'\"", sizeof(c.uui));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.cdr.session_id, hostile);
	assert_memory_equal(sn.cdr.remark, allbytes, sizeof(allbytes));
	assert_string_equal(sn.cdr.uui, "%s%n%x\\'\"");

	/* The staff table is still there, with both rows */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_staff_list(f->st, f->app, staff_h, &sn), 0);
	assert_int_equal(sn.n, 2);

	/* Lookups by a hostile key do not match by accident */
	assert_int_equal(store_staff_get(f->st, f->app, "' OR '1'='1", &g),
			 ENOENT);
	assert_int_equal(store_token_consume(f->st, "' OR used=1 --"),
			 ENOENT);
}


static void test_overlong(void **state)
{
	struct fixture *f = *state;
	char longid[STORE_ID_SZ + 1];
	struct store_staff s, g;
	struct store_group grp;
	struct store_number n;
	struct store_cdr c;
	struct store_reg r;
	struct store_app a;
	struct seen sn;

	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';

	/* Fields filled to the brim, no NUL */
	make_staff(&s, "alice", "");
	memset(s.name, 'n', sizeof(s.name));
	assert_int_equal(store_staff_add(f->st, f->app, &s), EINVAL);
	make_staff(&s, "alice", "");
	memset(s.user_id, 'u', sizeof(s.user_id));
	assert_int_equal(store_staff_add(f->st, f->app, &s), EINVAL);
	make_staff(&s, "alice", "");
	memset(s.extension, '1', sizeof(s.extension));
	assert_int_equal(store_staff_add(f->st, f->app, &s), EINVAL);
	make_staff(&s, "alice", "");
	memset(s.ha1, 'a', sizeof(s.ha1));
	assert_int_equal(store_staff_add(f->st, f->app, &s), EINVAL);

	/* The longest that fits is fine */
	make_staff(&s, "alice", "");
	memset(s.name, 'n', sizeof(s.name) - 1);
	s.name[sizeof(s.name) - 1] = '\0';
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	assert_int_equal(store_staff_get(f->st, f->app, "alice", &g), 0);
	assert_int_equal(strlen(g.name), sizeof(g.name) - 1);

	/* Over-long string arguments */
	make_staff(&s, "bob", "");
	assert_int_equal(store_staff_add(f->st, longid, &s), EINVAL);
	assert_int_equal(store_staff_get(f->st, f->app, longid, &g), EINVAL);
	assert_int_equal(store_staff_delete(f->st, f->app, longid), EINVAL);

	/* Empty keys */
	make_staff(&s, "", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), EINVAL);
	assert_int_equal(store_staff_add(f->st, "", &s), EINVAL);

	make_group(&grp, "g");
	memset(grp.strategy, 's', sizeof(grp.strategy));
	assert_int_equal(store_group_add(f->st, f->app, &grp), EINVAL);

	memset(&n, 0, sizeof(n));
	memset(n.number, '9', sizeof(n.number));
	assert_int_equal(store_number_add(f->st, f->app, &n), EINVAL);

	make_reg(&r, f->app, "alice", "sip:a@b", 1);
	memset(r.transport, 't', sizeof(r.transport));
	assert_int_equal(store_reg_set(f->st, &r), EINVAL);

	make_cdr(&c, f->app, "s", 1);
	memset(c.uui, 'u', sizeof(c.uui));
	assert_int_equal(store_cdr_add(f->st, &c), EINVAL);

	memset(&a, 0, sizeof(a));
	memset(a.secret_key, 'k', sizeof(a.secret_key));
	assert_int_equal(store_app_create(f->st, &a), EINVAL);

	/* Nothing of the refused went in */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_staff_list(f->st, f->app, staff_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_app_list(f->st, app_h, &sn), 0);
	assert_int_equal(sn.n, 2);
}


static void test_null_args(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	struct store_sipcred c;
	struct store_staff s;
	struct store_group g;
	struct store_member m;
	struct store_number n;
	struct store_app a;
	char app[STORE_ID_SZ];

	make_staff(&s, "alice", "1001");
	make_group(&g, "sales");
	memset(&m, 0, sizeof(m));
	memset(&n, 0, sizeof(n));
	memset(&a, 0, sizeof(a));

	assert_int_equal(store_app_create(NULL, &a), EINVAL);
	assert_int_equal(store_app_create(st, NULL), EINVAL);
	assert_int_equal(store_app_get(st, NULL, &a), EINVAL);
	assert_int_equal(store_app_get(st, f->app, NULL), EINVAL);
	assert_int_equal(store_app_by_secret_id(st, NULL, &a), EINVAL);
	assert_int_equal(store_app_list(st, NULL, NULL), EINVAL);
	assert_int_equal(store_app_list(NULL, app_h, NULL), EINVAL);

	assert_int_equal(store_staff_add(st, NULL, &s), EINVAL);
	assert_int_equal(store_staff_add(st, f->app, NULL), EINVAL);
	assert_int_equal(store_staff_add(NULL, f->app, &s), EINVAL);
	assert_int_equal(store_staff_update(st, f->app, NULL), EINVAL);
	assert_int_equal(store_staff_get(st, f->app, NULL, &s), EINVAL);
	assert_int_equal(store_staff_get(st, f->app, "alice", NULL), EINVAL);
	assert_int_equal(store_staff_by_extension(st, NULL, app, sizeof(app),
						  &s), EINVAL);
	assert_int_equal(store_staff_by_extension(st, "1001", NULL,
						  sizeof(app), &s), EINVAL);
	assert_int_equal(store_staff_by_extension(st, "1001", app, 0, &s),
			 EINVAL);
	assert_int_equal(store_staff_delete(st, NULL, "alice"), EINVAL);
	assert_int_equal(store_staff_list(st, f->app, NULL, NULL), EINVAL);
	assert_int_equal(store_staff_list(st, NULL, staff_h, NULL), EINVAL);

	assert_int_equal(store_group_add(st, f->app, NULL), EINVAL);
	assert_int_equal(store_group_update(st, NULL, &g), EINVAL);
	assert_int_equal(store_group_get(st, f->app, NULL, &g), EINVAL);
	assert_int_equal(store_group_delete(st, f->app, NULL), EINVAL);
	assert_int_equal(store_group_list(st, f->app, NULL, NULL), EINVAL);
	assert_int_equal(store_member_add(st, f->app, NULL), EINVAL);
	assert_int_equal(store_member_add(st, f->app, &m), EINVAL);
	assert_int_equal(store_member_delete(st, f->app, "a", NULL), EINVAL);
	assert_int_equal(store_member_list_by_user(st, f->app, NULL,
						   member_user_h, NULL),
			 EINVAL);
	assert_int_equal(store_member_list_by_group(st, f->app, "g", NULL,
						    NULL), EINVAL);

	assert_int_equal(store_number_add(st, f->app, NULL), EINVAL);
	assert_int_equal(store_number_add(st, f->app, &n), EINVAL);
	assert_int_equal(store_number_get(st, NULL, app, sizeof(app), &n),
			 EINVAL);
	assert_int_equal(store_number_get(st, "4000", app, sizeof(app),
					  NULL), EINVAL);
	assert_int_equal(store_number_delete(st, f->app, NULL), EINVAL);
	assert_int_equal(store_number_list(st, f->app, NULL, NULL), EINVAL);

	assert_int_equal(store_token_add(st, f->app, "alice", NULL, 1),
			 EINVAL);
	assert_int_equal(store_token_add(st, NULL, "alice", "n", 1), EINVAL);
	assert_int_equal(store_token_consume(st, NULL), EINVAL);
	assert_int_equal(store_token_consume(NULL, "n"), EINVAL);

	assert_int_equal(store_sipcred_add(st, NULL), EINVAL);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_sipcred_add(st, &c), EINVAL);
	assert_int_equal(store_sipcred_get(st, NULL, &c), EINVAL);
	assert_int_equal(store_sipcred_get(st, "u", NULL), EINVAL);

	assert_int_equal(store_reg_set(st, NULL), EINVAL);
	assert_int_equal(store_reg_delete(st, f->app, NULL), EINVAL);
	assert_int_equal(store_reg_list(st, NULL, NULL), EINVAL);

	assert_int_equal(store_cdr_add(st, NULL), EINVAL);
	assert_int_equal(store_cdr_list(st, NULL, 0, cdr_h, NULL), EINVAL);
	assert_int_equal(store_cdr_list(st, f->app, 0, NULL, NULL), EINVAL);
}


/* A handler that lists again from inside a list */
struct nest {
	struct store *st;
	const char *app;
	size_t outer, inner;
};

static void nest_inner_h(const struct store_staff *s, void *arg)
{
	struct nest *nt = arg;

	(void)s;
	++nt->inner;
}

static void nest_outer_h(const struct store_staff *s, void *arg)
{
	struct nest *nt = arg;

	(void)s;
	++nt->outer;
	assert_int_equal(store_staff_list(nt->st, nt->app, nest_inner_h, nt),
			 0);
}


static void test_reentrant_list(void **state)
{
	struct fixture *f = *state;
	struct nest nt = {f->st, f->app, 0, 0};
	struct store_staff s;

	make_staff(&s, "alice", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "carol", "");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	assert_int_equal(store_staff_list(f->st, f->app, nest_outer_h, &nt),
			 0);
	assert_int_equal(nt.outer, 3);
	assert_int_equal(nt.inner, 9);

	/* The cached statement still works afterwards */
	nt.outer = nt.inner = 0;
	assert_int_equal(store_staff_list(f->st, f->app, nest_inner_h, &nt),
			 0);
	assert_int_equal(nt.inner, 3);
}


/* ------------------------------------------------------------------ */
/* Personal information (store/privacy.c)                               */

/* A v1 database (no privacy columns or tables) is migrated to v2 and
 * keeps its data.  It is made by taking a v2 file back to v1 by hand. */
static void test_v1_migrated(void **state)
{
	struct store *st = NULL;
	struct store_app a;
	struct store_group g;
	struct store_cdr c;
	struct seen sn;
	struct tmpdb t;
	uint32_t days = 99;
	int version = -1;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(store_open(&st, t.path), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_app_create(st, &a), 0);
	make_group(&g, "sales");
	assert_int_equal(store_group_add(st, a.sdk_app_id, &g), 0);
	make_cdr(&c, a.sdk_app_id, "sess-v1", 1700000000000LL);
	assert_int_equal(store_cdr_add(st, &c), 0);
	st = mem_deref(st);

	/* undo step 4, 3, then step 2: what a version 1 file holds */
	assert_int_equal(raw_exec(t.path,
				  "DROP TABLE credentials;"
				  "DROP INDEX cdrs_by_agent;"
				  "DROP TABLE ivr_menus;"
				  "DROP INDEX numbers_by_ivr;"
				  "ALTER TABLE numbers DROP COLUMN ivr;"
				  "ALTER TABLE numbers DROP COLUMN priority;"
				  "DROP TABLE agent_states;"
				  "DROP TABLE agent_status_log;"
				  "DROP INDEX cdrs_by_caller;"
				  "DROP INDEX cdrs_by_group;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " max_queue_len;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " overflow_group;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " last_agent_first;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " service_level_s;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " ring_step_s;"
				  "ALTER TABLE apps DROP COLUMN rest_reasons;"
				  "DROP TABLE audit_log;"
				  "DROP TABLE number_refs;"
				  "DROP INDEX cdrs_by_app_end;"
				  "ALTER TABLE skill_groups DROP COLUMN"
				  " mask_numbers;"
				  "ALTER TABLE apps DROP COLUMN"
				  " cdr_retention_days;"
				  "PRAGMA user_version = 1;"), SQLITE_OK);
	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name IN ('audit_log',"
				 " 'number_refs')"), 0);

	assert_int_equal(store_open(&st, t.path), 0);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);

	assert_int_equal(store_group_get(st, a.sdk_app_id, "sales", &g), 0);
	assert_false(g.mask_numbers);
	assert_int_equal(g.wrapup_s, 15);
	/* what later steps added has its default */
	assert_int_equal(g.max_queue_len, 0);
	assert_string_equal(g.overflow_group, "");
	assert_int_equal(g.service_level_s, 20);
	assert_int_equal(g.ring_step_s, 5);
	assert_int_equal(store_retention_get(st, a.sdk_app_id, &days), 0);
	assert_int_equal(days, 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(st, a.sdk_app_id, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.cdr.caller, "+8613900000001");

	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name IN ('audit_log',"
				 " 'number_refs')"), 2);

	mem_deref(st);
	tmpdb_remove(&t);
}


static void test_group_mask(void **state)
{
	struct fixture *f = *state;
	struct store_group g;
	struct seen sn;

	make_group(&g, "masked");
	g.mask_numbers = true;
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	make_group(&g, "plain");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_group_get(f->st, f->app, "masked", &g), 0);
	assert_true(g.mask_numbers);
	assert_int_equal(store_group_get(f->st, f->app, "plain", &g), 0);
	assert_false(g.mask_numbers);

	g.mask_numbers = true;
	assert_int_equal(store_group_update(f->st, f->app, &g), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_group_get(f->st, f->app, "plain", &g), 0);
	assert_true(g.mask_numbers);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_group_list(f->st, f->app, group_h, &sn), 0);
	assert_int_equal(sn.n, 2);
}


static void test_retention(void **state)
{
	struct fixture *f = *state;
	const int64_t day_ms = 86400000LL;
	const int64_t now_ms = 1800000000000LL;
	struct store_cdr c;
	struct seen sn;
	uint32_t days = 99, n = 99;

	assert_int_equal(store_retention_get(f->st, f->app, &days), 0);
	assert_int_equal(days, 0);
	assert_int_equal(store_retention_set(f->st, f->app, 3651), EINVAL);
	assert_int_equal(store_retention_set(f->st, "nope", 7), ENOENT);
	assert_int_equal(store_retention_get(f->st, "nope", &days), ENOENT);

	/* ended 10 days, 8 days and 1 day ago; ended_ms = offered + 63 s */
	make_cdr(&c, f->app, "d10", now_ms - 10 * day_ms - 63000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "d8", now_ms - 8 * day_ms - 63000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "d1", now_ms - 1 * day_ms - 63000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app2, "other-d10", now_ms - 10 * day_ms - 63000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	/* 0 keeps forever */
	assert_int_equal(store_cdr_expire(f->st, NULL, now_ms, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_retention_set(f->st, f->app, 9), 0);
	assert_int_equal(store_retention_get(f->st, f->app, &days), 0);
	assert_int_equal(days, 9);
	assert_int_equal(store_cdr_expire(f->st, NULL, now_ms, &n), 0);
	assert_int_equal(n, 1);

	/* Per application: app2 keeps forever, app is down to 7 days */
	assert_int_equal(store_retention_set(f->st, f->app, 7), 0);
	assert_int_equal(store_cdr_expire(f->st, f->app2, now_ms, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cdr_expire(f->st, f->app, now_ms, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_cdr_expire(f->st, f->app, now_ms, &n), 0);
	assert_int_equal(n, 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.keyv[0], "d1");
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app2, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);

	assert_int_equal(store_cdr_expire(NULL, NULL, now_ms, &n), EINVAL);
	assert_int_equal(store_retention_set(f->st, f->app, 0), 0);
}


struct audit_seen {
	size_t n;
	struct store_audit v[8];
};

static void audit_h(const struct store_audit *a, void *arg)
{
	struct audit_seen *as = arg;

	if (as->n < ARRAY_SIZE(as->v))
		as->v[as->n] = *a;
	++as->n;
}


static void test_audit(void **state)
{
	struct fixture *f = *state;
	struct store_audit a;
	struct audit_seen as;
	int64_t first;

	memset(&a, 0, sizeof(a));
	str_ncpy(a.sdk_app_id, f->app, sizeof(a.sdk_app_id));
	str_ncpy(a.actor, "AKIDtest", sizeof(a.actor));
	str_ncpy(a.action, "personal-data.delete", sizeof(a.action));
	str_ncpy(a.detail, "{\"phone\":\"138****5678\"}", sizeof(a.detail));
	assert_int_equal(store_audit_add(f->st, &a), 0);
	assert_true(a.id > 0);
	assert_true(a.at_ms > 1600000000000LL);
	first = a.id;

	a.at_ms = 0;
	str_ncpy(a.detail, "{\"user\":\"alice\"}", sizeof(a.detail));
	assert_int_equal(store_audit_add(f->st, &a), 0);
	assert_true(a.id > first);

	str_ncpy(a.sdk_app_id, f->app2, sizeof(a.sdk_app_id));
	assert_int_equal(store_audit_add(f->st, &a), 0);

	memset(&as, 0, sizeof(as));
	assert_int_equal(store_audit_list(f->st, f->app, 0, audit_h, &as), 0);
	assert_int_equal(as.n, 2);
	assert_string_equal(as.v[0].detail, "{\"user\":\"alice\"}");
	assert_string_equal(as.v[1].detail, "{\"phone\":\"138****5678\"}");
	assert_string_equal(as.v[1].actor, "AKIDtest");
	assert_string_equal(as.v[1].action, "personal-data.delete");
	assert_int_equal(as.v[1].id, first);

	memset(&as, 0, sizeof(as));
	assert_int_equal(store_audit_list(f->st, f->app, 1, audit_h, &as), 0);
	assert_int_equal(as.n, 1);

	a.action[0] = '\0';
	assert_int_equal(store_audit_add(f->st, &a), EINVAL);
}


static void test_numref(void **state)
{
	struct fixture *f = *state;
	char ref[STORE_REF_SZ], ref2[STORE_REF_SZ], num[64];
	size_t i;

	assert_int_equal(store_numref_add(f->st, f->app, "13812345678", 1000,
					  ref, sizeof(ref)), 0);
	assert_int_equal(strlen(ref), STORE_REF_SZ - 1);
	assert_int_equal(ref[0], 'r');
	for (i = 1; ref[i]; i++)
		assert_true(isxdigit((unsigned char)ref[i]) &&
			    !isupper((unsigned char)ref[i]));
	assert_int_equal(store_numref_add(f->st, f->app, "13812345678", 2000,
					  ref2, sizeof(ref2)), 0);
	assert_string_not_equal(ref, ref2);

	assert_int_equal(store_numref_get(f->st, f->app, ref, 999, num,
					  sizeof(num)), 0);
	assert_string_equal(num, "13812345678");
	/* Expired, another application's, unknown */
	assert_int_equal(store_numref_get(f->st, f->app, ref, 1000, num,
					  sizeof(num)), ENOENT);
	assert_int_equal(store_numref_get(f->st, f->app2, ref, 999, num,
					  sizeof(num)), ENOENT);
	assert_int_equal(store_numref_get(f->st, f->app, "r0000000000000000",
					  999, num, sizeof(num)), ENOENT);
	assert_int_equal(store_numref_add(f->st, f->app, "1", 1000, ref,
					  8), EINVAL);

	/* Housekeeping forgets the expired one only */
	assert_int_equal(store_expire(f->st, 1500), 0);
	assert_int_equal(store_numref_get(f->st, f->app, ref2, 1500, num,
					  sizeof(num)), 0);
	assert_int_equal(store_expire(f->st, 2000), 0);
	assert_int_equal(store_numref_get(f->st, f->app, ref2, 0, num,
					  sizeof(num)), ENOENT);
}


static void test_erase_phone(void **state)
{
	struct fixture *f = *state;
	const char *phone = "+8613900000001";
	struct store_erasure res;
	struct store_staff s;
	struct store_cdr c;
	char ref[STORE_REF_SZ], num[64];
	struct seen sn;

	make_cdr(&c, f->app, "in-1", 1000000);          /* caller = phone */
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "out-1", 2000000);
	c.direction = STORE_DIR_OUTBOUND;
	str_ncpy(c.caller, "4000", sizeof(c.caller));
	str_ncpy(c.callee, phone, sizeof(c.callee));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "in-2", 3000000);
	str_ncpy(c.caller, "+8613900000002", sizeof(c.caller));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app2, "other", 4000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	make_staff(&s, "alice", "");
	str_ncpy(s.phone, phone, sizeof(s.phone));
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "");
	str_ncpy(s.phone, "+8613900000002", sizeof(s.phone));
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	assert_int_equal(store_numref_add(f->st, f->app, phone, 4000000000LL,
					  ref, sizeof(ref)), 0);

	memset(&res, 0xff, sizeof(res));
	assert_int_equal(store_erase_phone(f->st, f->app, phone, &res), 0);
	assert_int_equal(res.cdrs, 2);
	assert_int_equal(res.staff, 1);
	assert_int_equal(res.number_refs, 1);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app, 0, cdr_h, &sn), 0);
	assert_int_equal(sn.n, 3);
	assert_string_equal(sn.keyv[0], "in-2");
	assert_string_equal(sn.cdr.caller, "+8613900000002");

	assert_int_equal(store_numref_get(f->st, f->app, ref, 0, num,
					  sizeof(num)), ENOENT);
	assert_int_equal(store_staff_get(f->st, f->app, "alice", &s), 0);
	assert_string_equal(s.phone, "");
	assert_string_equal(s.name, "Name of alice");
	assert_int_equal(store_staff_get(f->st, f->app, "bob", &s), 0);
	assert_string_equal(s.phone, "+8613900000002");

	/* The other application's CDR is not touched */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list(f->st, f->app2, 0, cdr_h, &sn), 0);
	assert_string_equal(sn.cdr.caller, phone);

	/* Again: nothing left */
	assert_int_equal(store_erase_phone(f->st, f->app, phone, &res), 0);
	assert_int_equal(res.cdrs + res.staff + res.number_refs, 0);

	assert_int_equal(store_erase_phone(f->st, f->app, "", &res), EINVAL);
}


struct cdr_find {
	const char *sid;
	struct store_cdr c;
	bool found;
};

static void cdr_find_h(const struct store_cdr *c, void *arg)
{
	struct cdr_find *cf = arg;

	if (!strcmp(c->session_id, cf->sid)) {
		cf->c = *c;
		cf->found = true;
	}
}


static void cdr_find(struct store *st, const char *app, const char *sid,
		     struct store_cdr *c)
{
	struct cdr_find cf;

	memset(&cf, 0, sizeof(cf));
	cf.sid = sid;
	assert_int_equal(store_cdr_list(st, app, 0, cdr_find_h, &cf), 0);
	assert_true(cf.found);
	*c = cf.c;
}


static void test_erase_phone_fields(void **state)
{
	struct fixture *f = *state;
	const char *phone = "13812345678";
	struct store_erasure res;
	struct store_cdr c;

	make_cdr(&c, f->app, "in", 1000000);
	str_ncpy(c.caller, phone, sizeof(c.caller));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "out", 2000000);
	str_ncpy(c.caller, "4000", sizeof(c.caller));
	str_ncpy(c.callee, phone, sizeof(c.callee));
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	assert_int_equal(store_erase_phone(f->st, f->app, phone, &res), 0);
	assert_int_equal(res.cdrs, 2);

	cdr_find(f->st, f->app, "in", &c);
	assert_string_equal(c.caller, "deleted");
	assert_string_equal(c.callee, "4000");
	assert_string_equal(c.agent, "alice");
	cdr_find(f->st, f->app, "out", &c);
	assert_string_equal(c.caller, "4000");
	assert_string_equal(c.callee, "deleted");
}


static void test_erase_user(void **state)
{
	struct fixture *f = *state;
	struct store_erasure res;
	struct store_staff s;
	struct store_cdr c;

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);
	make_staff(&s, "bob", "1002");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	make_cdr(&c, f->app, "a1", 1000000);             /* agent alice */
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "a2", 2000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "b1", 3000000);
	str_ncpy(c.agent, "bob", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app2, "x1", 3000000);
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	assert_int_equal(store_erase_user(f->st, f->app, "alice", &res), 0);
	assert_int_equal(res.cdrs, 2);
	assert_int_equal(res.staff, 1);
	assert_int_equal(res.number_refs, 0);

	cdr_find(f->st, f->app, "a1", &c);
	assert_string_equal(c.agent, "deleted");
	assert_string_equal(c.caller, "+8613900000001");
	cdr_find(f->st, f->app, "b1", &c);
	assert_string_equal(c.agent, "bob");
	cdr_find(f->st, f->app2, "x1", &c);
	assert_string_equal(c.agent, "alice");

	/* The staff member stays, without name and phone; bob is intact */
	assert_int_equal(store_staff_get(f->st, f->app, "alice", &s), 0);
	assert_string_equal(s.name, "");
	assert_string_equal(s.phone, "");
	assert_string_equal(s.extension, "1001");
	assert_int_equal(store_staff_get(f->st, f->app, "bob", &s), 0);
	assert_string_equal(s.name, "Name of bob");

	assert_int_equal(store_erase_user(f->st, f->app, "nobody", &res), 0);
	assert_int_equal(res.cdrs + res.staff + res.number_refs, 0);
	assert_int_equal(store_erase_user(f->st, NULL, "alice", &res),
			 EINVAL);
}


static void test_group_queue_limits(void **state)
{
	struct fixture *f = *state;
	struct store_group g;

	make_group(&g, "overflow");
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);
	make_group(&g, "sales");
	g.max_queue_len = 7;
	str_ncpy(g.overflow_group, "overflow", sizeof(g.overflow_group));
	g.last_agent_first = true;
	g.service_level_s = 30;
	g.ring_step_s = 4;
	assert_int_equal(store_group_add(f->st, f->app, &g), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_group_get(f->st, f->app, "sales", &g), 0);
	assert_int_equal(g.max_queue_len, 7);
	assert_string_equal(g.overflow_group, "overflow");
	assert_true(g.last_agent_first);
	assert_int_equal(g.service_level_s, 30);
	assert_int_equal(g.ring_step_s, 4);

	g.max_queue_len = 0;
	g.overflow_group[0] = '\0';
	g.last_agent_first = false;
	assert_int_equal(store_group_update(f->st, f->app, &g), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_group_get(f->st, f->app, "sales", &g), 0);
	assert_int_equal(g.max_queue_len, 0);
	assert_string_equal(g.overflow_group, "");
	assert_false(g.last_agent_first);
}


static void make_state(struct store_agent_state *s,
		       struct store_status_change *c, const char *app,
		       const char *user, const char *from, const char *to,
		       int64_t at_ms)
{
	memset(s, 0, sizeof(*s));
	memset(c, 0, sizeof(*c));
	str_ncpy(s->sdk_app_id, app, sizeof(s->sdk_app_id));
	str_ncpy(s->user_id, user, sizeof(s->user_id));
	str_ncpy(s->status, to, sizeof(s->status));
	s->since_ms = at_ms;
	str_ncpy(c->sdk_app_id, app, sizeof(c->sdk_app_id));
	str_ncpy(c->user_id, user, sizeof(c->user_id));
	str_ncpy(c->from, from, sizeof(c->from));
	str_ncpy(c->to, to, sizeof(c->to));
	str_ncpy(c->actor, "system", sizeof(c->actor));
	c->at_ms = at_ms;
}


struct states_seen {
	unsigned n;
	char last_status[16];
	char last_pending[16];
};


static void state_h(const struct store_agent_state *s, void *arg)
{
	struct states_seen *ss = arg;

	++ss->n;
	str_ncpy(ss->last_status, s->status, sizeof(ss->last_status));
	str_ncpy(ss->last_pending, s->pending, sizeof(ss->last_pending));
}


struct changes_seen {
	unsigned n;
	int64_t last_at;
	bool ordered;
	char reasons[256];
};


static void change_h(const struct store_status_change *c, void *arg)
{
	struct changes_seen *cs = arg;

	if (cs->n && c->at_ms < cs->last_at)
		cs->ordered = false;
	cs->last_at = c->at_ms;
	++cs->n;
	strcat(cs->reasons, c->reason[0] ? c->reason : "-");
	strcat(cs->reasons, ";");
}


static void test_agent_status(void **state)
{
	static const char *const names[] = {"offline", "free", "busy",
					    "arrange", "notReady", "rest"};
	struct fixture *f = *state;
	struct store_agent_state s;
	struct store_status_change c;
	struct states_seen ss;
	struct changes_seen cs;
	struct store_staff st;
	uint64_t msv[6];

	make_staff(&st, "alice", "");
	assert_int_equal(store_staff_add(f->st, f->app, &st), 0);

	/* 1000 free, 5000 busy, 8000 arrange, 9000 rest (lunch), 20000 free */
	make_state(&s, &c, f->app, "alice", "offline", "free", 1000);
	assert_int_equal(store_agent_state_set(f->st, &s, &c), 0);
	make_state(&s, &c, f->app, "alice", "free", "busy", 5000);
	assert_int_equal(store_agent_state_set(f->st, &s, &c), 0);
	make_state(&s, &c, f->app, "alice", "busy", "arrange", 8000);
	str_ncpy(s.pending, "rest", sizeof(s.pending));
	str_ncpy(s.pending_reason, "lunch", sizeof(s.pending_reason));
	assert_int_equal(store_agent_state_set(f->st, &s, &c), 0);
	make_state(&s, &c, f->app, "alice", "arrange", "rest", 9000);
	str_ncpy(s.reason, hostile, sizeof(s.reason));
	str_ncpy(c.reason, hostile, sizeof(c.reason));
	assert_int_equal(store_agent_state_set(f->st, &s, &c), 0);
	make_state(&s, &c, f->app, "alice", "rest", "free", 20000);
	assert_int_equal(store_agent_state_set(f->st, &s, &c), 0);

	/* the state now is the last one; only one row per agent */
	memset(&ss, 0, sizeof(ss));
	assert_int_equal(store_agent_state_list(f->st, state_h, &ss), 0);
	assert_int_equal(ss.n, 1);
	assert_string_equal(ss.last_status, "free");
	assert_string_equal(ss.last_pending, "");

	/* history, oldest first, window [from, to) */
	memset(&cs, 0, sizeof(cs));
	cs.ordered = true;
	assert_int_equal(store_status_log_list(f->st, f->app, "alice", 0,
					       INT64_MAX, 0, change_h, &cs),
			 0);
	assert_int_equal(cs.n, 5);
	assert_true(cs.ordered);
	assert_non_null(strstr(cs.reasons, hostile));

	memset(&cs, 0, sizeof(cs));
	cs.ordered = true;
	assert_int_equal(store_status_log_list(f->st, f->app, NULL, 5000,
					       9000, 0, change_h, &cs), 0);
	assert_int_equal(cs.n, 2);

	/* another app sees nothing */
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_status_log_list(f->st, f->app2, NULL, 0,
					       INT64_MAX, 0, change_h, &cs),
			 0);
	assert_int_equal(cs.n, 0);

	/* time in status over [4000, 10000): free 1000, busy 3000,
	 * arrange 1000, rest 1000 */
	memset(msv, 0, sizeof(msv));
	assert_int_equal(store_status_time(f->st, f->app, "alice", 4000,
					   10000, names, 6, msv), 0);
	assert_int_equal(msv[1], 1000);
	assert_int_equal(msv[2], 3000);
	assert_int_equal(msv[3], 1000);
	assert_int_equal(msv[5], 1000);
	assert_int_equal(msv[0] + msv[4], 0);

	/* the whole span adds up to the window */
	memset(msv, 0, sizeof(msv));
	assert_int_equal(store_status_time(f->st, f->app, "alice", 0, 30000,
					   names, 6, msv), 0);
	assert_int_equal(msv[1] + msv[2] + msv[3] + msv[5], 29000);

	/* bad input */
	assert_int_equal(store_status_time(f->st, f->app, "alice", 10, 5,
					   names, 6, msv), EINVAL);
	make_state(&s, &c, f->app, "nobody", "offline", "free", 1000);
	assert_int_equal(store_agent_state_set(f->st, &s, &c), ENOENT);
	make_state(&s, &c, f->app, "alice", "free", "", 1000);
	assert_int_equal(store_agent_state_set(f->st, &s, &c), EINVAL);

	/* deleting the staff member deletes the state, keeps the history */
	assert_int_equal(store_staff_delete(f->st, f->app, "alice"), 0);
	memset(&ss, 0, sizeof(ss));
	assert_int_equal(store_agent_state_list(f->st, state_h, &ss), 0);
	assert_int_equal(ss.n, 0);
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(store_status_log_list(f->st, f->app, "alice", 0,
					       INT64_MAX, 0, change_h, &cs),
			 0);
	assert_int_equal(cs.n, 5);
}


static void test_rest_reasons_last_agent(void **state)
{
	struct fixture *f = *state;
	struct store_cdr c;
	char buf[STORE_REST_REASONS_SZ];
	char agent[STORE_ID_SZ];

	assert_int_equal(store_rest_reasons_get(f->st, f->app, buf,
						sizeof(buf)), 0);
	assert_string_equal(buf, "break,lunch,meeting,training");
	assert_int_equal(store_rest_reasons_set(f->st, f->app, "tea,prayer"),
			 0);
	assert_int_equal(store_rest_reasons_get(f->st, f->app, buf,
						sizeof(buf)), 0);
	assert_string_equal(buf, "tea,prayer");
	assert_int_equal(store_rest_reasons_get(f->st, f->app2, buf,
						sizeof(buf)), 0);
	assert_string_equal(buf, "break,lunch,meeting,training");
	assert_int_equal(store_rest_reasons_set(f->st, "nope", "x"), ENOENT);
	assert_int_equal(store_rest_reasons_get(f->st, "nope", buf,
						sizeof(buf)), ENOENT);

	assert_int_equal(store_cdr_last_agent(f->st, f->app,
					      "+8613900000001", agent,
					      sizeof(agent)), ENOENT);

	make_cdr(&c, f->app, "s1", 1000);
	str_ncpy(c.agent, "alice", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "s2", 5000);
	str_ncpy(c.agent, "bob", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	/* a later call that nobody answered does not count */
	make_cdr(&c, f->app, "s3", 9000);
	c.answered_ms = 0;
	c.duration_s = 0;
	str_ncpy(c.end_status, "abandoned", sizeof(c.end_status));
	str_ncpy(c.agent, "carol", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	assert_int_equal(store_cdr_last_agent(f->st, f->app,
					      "+8613900000001", agent,
					      sizeof(agent)), 0);
	assert_string_equal(agent, "bob");
	assert_int_equal(store_cdr_last_agent(f->st, f->app2,
					      "+8613900000001", agent,
					      sizeof(agent)), ENOENT);
	assert_int_equal(store_cdr_last_agent(f->st, f->app, hostile, agent,
					      sizeof(agent)), ENOENT);
}


struct agent_stats_seen {
	struct store_agent_stats v[4];
	size_t n;
};


static void agent_stats_handler(const struct store_agent_stats *a,
				void *arg)
{
	struct agent_stats_seen *seen = arg;

	if (seen->n < ARRAY_SIZE(seen->v))
		seen->v[seen->n] = *a;
	++seen->n;
}


/* A CDR of group "sales" offered at t, queued 10 ms later, that ended as
 * status after the given waits (answer_ms 0: never answered). */
static void add_queue_cdr(struct fixture *f, const char *app,
			  const char *sid, int64_t t, int64_t answer_ms,
			  int64_t end_ms, const char *status,
			  const char *agent)
{
	struct store_cdr c;

	make_cdr(&c, app, sid, t);
	c.ringing_ms  = 0;
	c.answered_ms = answer_ms ? c.queued_ms + answer_ms : 0;
	c.ended_ms    = c.queued_ms + end_ms;
	str_ncpy(c.end_status, status, sizeof(c.end_status));
	str_ncpy(c.agent, agent, sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
}


/* Fixed CDR rows give exact queue and agent figures */
static void test_metrics_aggregates(void **state)
{
	struct fixture *f = *state;
	const int64_t t = 1700000000000LL;
	struct agent_stats_seen seen;
	struct store_queue_stats qs;
	struct store_cdr c;

	/* answered after 3 s and 25 s, talked 60 s and 10 s */
	add_queue_cdr(f, f->app, "s1", t, 3000, 63000, "answered", "alice");
	add_queue_cdr(f, f->app, "s2", t + 1000, 25000, 35000, "answered",
		      "bob");
	/* abandoned after 3 s, ring-abandoned after 10 s, abandoned after
	 * exactly 5 s */
	add_queue_cdr(f, f->app, "s3", t + 2000, 0, 3000, "abandoned", "");
	add_queue_cdr(f, f->app, "s4", t + 3000, 0, 10000, "ring-abandoned",
		      "bob");
	add_queue_cdr(f, f->app, "s7", t + 6000, 0, 5000, "abandoned", "");
	add_queue_cdr(f, f->app, "s5", t + 4000, 0, 120000, "timeout", "");
	/* answered after exactly the 20 s of the service level */
	add_queue_cdr(f, f->app, "s8", t + 7000, 20000, 21000, "answered",
		      "alice");

	/* refused at the queue limit: never queued */
	make_cdr(&c, f->app, "s6", t + 5000);
	c.queued_ms = c.ringing_ms = c.answered_ms = 0;
	c.ended_ms = t + 5000;
	str_ncpy(c.end_status, "queue-full", sizeof(c.end_status));
	c.agent[0] = '\0';
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	/* not counted: after the window, another group, another app, an
	 * outbound call (counted for its agent) */
	add_queue_cdr(f, f->app, "s9", t + 60000, 1000, 2000, "answered",
		      "alice");
	make_cdr(&c, f->app, "s10", t + 100);
	str_ncpy(c.group, "support", sizeof(c.group));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	add_queue_cdr(f, f->app2, "s11", t + 100, 1000, 2000, "answered",
		      "alice");
	make_cdr(&c, f->app, "s12", 0);
	c.direction = STORE_DIR_OUTBOUND;
	c.answered_ms = t + 500;
	c.ended_ms = t + 2500;
	str_ncpy(c.agent, "carol", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	assert_int_equal(store_queue_stats(f->st, f->app, "sales", t,
					   t + 60000, 20000, 5000, &qs), 0);
	assert_int_equal(qs.offered, 8);
	assert_int_equal(qs.answered, 3);
	assert_int_equal(qs.abandoned, 3);
	assert_int_equal(qs.abandoned_short, 2);
	assert_int_equal(qs.answered_in_sl, 2);
	assert_int_equal(qs.timeouts, 1);
	assert_int_equal(qs.queue_full, 1);
	assert_int_equal(qs.wait_answered_ms, 3000 + 25000 + 20000);
	assert_int_equal(qs.talk_ms, 60000 + 10000 + 1000);

	/* a tighter service level, a wider window */
	assert_int_equal(store_queue_stats(f->st, f->app, "sales", t,
					   t + 60001, 2999, 2999, &qs), 0);
	assert_int_equal(qs.offered, 9);
	assert_int_equal(qs.answered_in_sl, 1);
	assert_int_equal(qs.abandoned_short, 0);

	/* empty, hostile and bad arguments */
	assert_int_equal(store_queue_stats(f->st, f->app, hostile, t,
					   t + 60000, 20000, 5000, &qs), 0);
	assert_int_equal(qs.offered, 0);
	assert_int_equal(qs.wait_answered_ms, 0);
	assert_int_equal(store_queue_stats(f->st, f->app, "sales", t, t - 1,
					   20000, 5000, &qs), EINVAL);
	assert_int_equal(store_queue_stats(f->st, f->app, "", t, t + 1,
					   20000, 5000, &qs), EINVAL);
	assert_int_equal(store_queue_stats(f->st, NULL, "sales", t, t + 1,
					   20000, 5000, &qs), EINVAL);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_agent_stats_list(f->st, f->app, t, t + 60000,
						agent_stats_handler, &seen),
			 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.v[0].user_id, "alice");
	assert_int_equal(seen.v[0].calls, 3);   /* s1, s8, s10 */
	assert_int_equal(seen.v[0].inbound, 3);
	assert_int_equal(seen.v[0].talk_ms, 60000 + 1000 + 60000);
	assert_string_equal(seen.v[1].user_id, "bob");
	assert_int_equal(seen.v[1].calls, 1);
	assert_int_equal(seen.v[1].talk_ms, 10000);
	assert_string_equal(seen.v[2].user_id, "carol");
	assert_int_equal(seen.v[2].outbound, 1);
	assert_int_equal(seen.v[2].inbound, 0);
	assert_int_equal(seen.v[2].talk_ms, 2000);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_agent_stats_list(f->st, hostile, t, t + 60000,
						agent_stats_handler, &seen),
			 0);
	assert_int_equal(seen.n, 0);
	assert_int_equal(store_agent_stats_list(f->st, f->app, t, t - 1,
						agent_stats_handler, &seen),
			 EINVAL);
}



/* A v4 database (before role credentials) is migrated to v5: what it
 * held is kept, and credentials can be added. */
static void test_v4_migrated(void **state)
{
	struct store *st = NULL;
	struct store_app a, a2;
	struct store_staff s;
	struct store_cred c;
	struct tmpdb t;
	int version = -1;

	(void)state;
	tmpdb_init(&t);

	assert_int_equal(store_open(&st, t.path), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_app_create(st, &a), 0);
	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(st, a.sdk_app_id, &s), 0);
	st = mem_deref(st);

	assert_int_equal(raw_exec(t.path,
				  "DROP TABLE credentials;"
				  "DROP INDEX cdrs_by_agent;"
				  "PRAGMA user_version = 4;"), SQLITE_OK);
	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name = 'credentials'"), 0);

	assert_int_equal(store_open(&st, t.path), 0);
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, SCHEMA_LATEST);

	assert_int_equal(store_app_get(st, a.sdk_app_id, &a2), 0);
	assert_string_equal(a2.secret_key, a.secret_key);

	memset(&c, 0, sizeof(c));
	str_ncpy(c.sdk_app_id, a.sdk_app_id, sizeof(c.sdk_app_id));
	str_ncpy(c.role, "agent", sizeof(c.role));
	str_ncpy(c.user_id, "alice", sizeof(c.user_id));
	assert_int_equal(store_cred_create(st, &c), 0);
	st = mem_deref(st);

	assert_int_equal(raw_int(t.path, "SELECT count(*) FROM credentials"
				 " WHERE role = 'agent'"), 1);

	tmpdb_remove(&t);
}


static void cred_h(const struct store_cred *c, void *arg)
{
	struct seen *sn = arg;

	if (sn->n < ARRAY_SIZE(sn->keyv))
		str_ncpy(sn->keyv[sn->n], c->secret_id, sizeof(sn->keyv[0]));
	++sn->n;
}


static void make_cred(struct store_cred *c, const char *app,
		      const char *role, const char *user)
{
	memset(c, 0, sizeof(*c));
	str_ncpy(c->sdk_app_id, app, sizeof(c->sdk_app_id));
	str_ncpy(c->role, role, sizeof(c->role));
	str_ncpy(c->user_id, user, sizeof(c->user_id));
}


static void test_credentials(void **state)
{
	struct fixture *f = *state;
	struct store_cred sup, ag, got;
	struct store_staff s;
	struct store_app a;
	struct seen sn;

	make_staff(&s, "alice", "1001");
	assert_int_equal(store_staff_add(f->st, f->app, &s), 0);

	make_cred(&sup, f->app, "supervisor", "");
	assert_int_equal(store_cred_create(f->st, &sup), 0);
	assert_int_equal(strncmp(sup.secret_id, "AKID", 4), 0);
	assert_int_equal(strlen(sup.secret_id), 36);
	assert_int_equal(strlen(sup.secret_key), 40);
	assert_true(sup.created > 0);

	make_cred(&ag, f->app, "agent", "alice");
	assert_int_equal(store_cred_create(f->st, &ag), 0);
	assert_string_not_equal(ag.secret_id, sup.secret_id);
	assert_string_not_equal(ag.secret_key, sup.secret_key);

	/* Found by SecretId, key as created (HMAC needs it) */
	assert_int_equal(store_cred_by_secret_id(f->st, ag.secret_id, &got),
			 0);
	assert_string_equal(got.secret_key, ag.secret_key);
	assert_string_equal(got.role, "agent");
	assert_string_equal(got.user_id, "alice");
	assert_string_equal(got.sdk_app_id, f->app);
	assert_int_equal(store_cred_by_secret_id(f->st, sup.secret_id,
						 &got), 0);
	assert_string_equal(got.role, "supervisor");
	assert_string_equal(got.user_id, "");

	/* Not an application's credentials, and the other way round */
	assert_int_equal(store_app_by_secret_id(f->st, sup.secret_id, &a),
			 ENOENT);
	assert_int_equal(store_app_get(f->st, f->app, &a), 0);
	assert_int_equal(store_cred_by_secret_id(f->st, a.secret_id, &got),
			 ENOENT);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cred_list(f->st, f->app, cred_h, &sn), 0);
	assert_int_equal(sn.n, 2);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cred_list(f->st, f->app2, cred_h, &sn), 0);
	assert_int_equal(sn.n, 0);

	/* Role and user must match; the user must exist in the app */
	make_cred(&got, f->app, "agent", "");
	assert_int_equal(store_cred_create(f->st, &got), EINVAL);
	make_cred(&got, f->app, "supervisor", "alice");
	assert_int_equal(store_cred_create(f->st, &got), EINVAL);
	make_cred(&got, f->app, "admin", "");
	assert_int_equal(store_cred_create(f->st, &got), EINVAL);
	make_cred(&got, f->app, "agent", "bob");
	assert_int_equal(store_cred_create(f->st, &got), ENOENT);
	assert_string_equal(got.secret_key, "");
	make_cred(&got, f->app2, "agent", "alice");
	assert_int_equal(store_cred_create(f->st, &got), ENOENT);
	make_cred(&got, "nosuchapp", "supervisor", "");
	assert_int_equal(store_cred_create(f->st, &got), ENOENT);

	/* Deleted only by its own application */
	assert_int_equal(store_cred_delete(f->st, f->app2, sup.secret_id),
			 ENOENT);
	assert_int_equal(store_cred_delete(f->st, f->app, sup.secret_id), 0);
	assert_int_equal(store_cred_delete(f->st, f->app, sup.secret_id),
			 ENOENT);
	assert_int_equal(store_cred_by_secret_id(f->st, sup.secret_id, &got),
			 ENOENT);

	/* Deleting the staff member deletes their credentials */
	assert_int_equal(store_staff_delete(f->st, f->app, "alice"), 0);
	assert_int_equal(store_cred_by_secret_id(f->st, ag.secret_id, &got),
			 ENOENT);

	/* Bad arguments */
	assert_int_equal(store_cred_create(NULL, &ag), EINVAL);
	assert_int_equal(store_cred_create(f->st, NULL), EINVAL);
	assert_int_equal(store_cred_by_secret_id(f->st, "", &got), EINVAL);
	assert_int_equal(store_cred_by_secret_id(f->st, NULL, &got), EINVAL);
	assert_int_equal(store_cred_list(f->st, NULL, cred_h, &sn), EINVAL);
	assert_int_equal(store_cred_delete(f->st, f->app, NULL), EINVAL);
}


static void test_cdr_list_agent(void **state)
{
	struct fixture *f = *state;
	struct store_cdr c;
	struct seen sn;

	make_cdr(&c, f->app, "s-a", 1700000000000LL);
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app, "s-b", 1700000100000LL);
	str_ncpy(c.agent, "bob", sizeof(c.agent));
	assert_int_equal(store_cdr_add(f->st, &c), 0);
	make_cdr(&c, f->app2, "s-c", 1700000200000LL);
	assert_int_equal(store_cdr_add(f->st, &c), 0);

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list_agent(f->st, f->app, "alice", 0,
					      cdr_h, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.cdr.session_id, "s-a");

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_cdr_list_agent(f->st, f->app, "carol", 0,
					      cdr_h, &sn), 0);
	assert_int_equal(sn.n, 0);

	assert_int_equal(store_cdr_list_agent(f->st, f->app, "", 0, cdr_h,
					      &sn), EINVAL);
	assert_int_equal(store_cdr_list_agent(f->st, f->app, NULL, 0, cdr_h,
					      &sn), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_memory),
		cmocka_unit_test(test_open_bad_args),
		cmocka_unit_test(test_open_file_reopen),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_newer_version_refused),
		cmocka_unit_test(test_old_version_migrated),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test_setup_teardown(test_app, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_member, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_staff_delete_cascade,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sipcred_reg, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cdr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overlong, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_null_args, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reentrant_list, setup,
						teardown),
		cmocka_unit_test(test_v1_migrated),
		cmocka_unit_test(test_v3_migrated),
		cmocka_unit_test(test_v4_migrated),
		cmocka_unit_test_setup_teardown(test_credentials, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdr_list_agent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ivr_menus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_mask, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_phone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_erase_phone_fields,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_queue_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agent_status, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_aggregates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rest_reasons_last_agent,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
