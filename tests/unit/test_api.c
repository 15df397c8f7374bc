/**
 * @file test_api.c  Tests of the HTTP API, the request signature and the
 *                   JSON writer
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The API runs in-process on the real libre loop, on 127.0.0.1 port 0,
 * over a ":memory:" store.  Each request is sent by a blocking client on a
 * thread of its own while the main thread runs re_main() with a deadline;
 * the client wakes the loop through an mqueue when it has the reply.  All
 * assertions run on the main thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <ctype.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <re.h>
#include <cmocka.h>
#include "common/log.h"
#include "common/sign.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"


enum {
	MAX_BODY    = 4096,
	DEADLINE_MS = 5000,
};

enum auth_mode {
	AUTH_NONE,
	AUTH_OK,
	AUTH_BADSIG,
	AUTH_SKEW,
	AUTH_UNKNOWN_ID,
	AUTH_MALFORMED,
	AUTH_APP2,
	AUTH_CRED,            /* f->cred_id and f->cred_key */
};

struct resp {
	uint16_t scode;
	char *raw;            /* whole response, NUL-terminated */
	size_t rawlen;
	const char *body;     /* into raw */
	struct odict *od;     /* decoded body, NULL if not JSON */
};

struct fix {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	struct api *api;
	struct store_app app;
	struct store_app app2;
	char cred_id[STORE_SECRET_SZ];      /* for AUTH_CRED */
	char cred_key[STORE_SECRET_SZ];
	struct sa laddr;
	struct mqueue *mq;
	struct tmr tmr;
	bool timeout;
};

struct job {
	struct sa addr;
	const char *raw;
	size_t len;
	bool read_all;        /* read until EOF (pipelining) */
	struct mqueue *mq;
	char *out;
	size_t outlen;
	int err;
};


/* ------------------------------------------------------------------ */
/* Blocking client thread                                               */

static size_t resp_complete(const char *buf, size_t n)
{
	const char *eoh, *cl;
	size_t hlen, clen;

	buf = buf ? buf : "";
	eoh = strstr(buf, "\r\n\r\n");
	if (!eoh)
		return 0;

	hlen = eoh + 4 - buf;
	cl = strstr(buf, "Content-Length: ");
	if (!cl || cl > eoh)
		return 0;

	clen = strtoul(cl + 16, NULL, 10);

	return n >= hlen + clen ? hlen + clen : 0;
}


static void *client_thread(void *arg)
{
	struct job *job = arg;
	struct sockaddr_in sin;
	struct timeval tv = {5, 0};
	size_t sent = 0, cap = 65536;
	int fd;

	job->out = calloc(1, cap + 1);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || !job->out) {
		job->err = ENOMEM;
		goto out;
	}

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(sa_port(&job->addr));
	sin.sin_addr.s_addr = htonl(sa_in(&job->addr));

	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		job->err = errno;
		goto out;
	}

	while (sent < job->len) {
		ssize_t n = send(fd, job->raw + sent, job->len - sent,
				 MSG_NOSIGNAL);
		if (n <= 0)
			break;   /* the server may refuse early: read anyway */
		sent += (size_t)n;
	}

	for (;;) {
		ssize_t n;

		if (!job->read_all && resp_complete(job->out, job->outlen))
			break;

		if (job->outlen == cap) {
			char *p = realloc(job->out, 2 * cap + 1);
			if (!p)
				break;
			job->out = p;
			cap *= 2;
		}

		n = recv(fd, job->out + job->outlen, cap - job->outlen, 0);
		if (n <= 0)
			break;
		job->outlen += (size_t)n;
		job->out[job->outlen] = '\0';
	}

 out:
	if (fd >= 0)
		close(fd);
	(void)mqueue_push(job->mq, 0, job);
	return NULL;
}


static void mq_handler(int id, void *data, void *arg)
{
	(void)id;
	(void)data;
	(void)arg;
	re_cancel();
}


static void deadline_handler(void *arg)
{
	struct fix *f = arg;

	f->timeout = true;
	re_cancel();
}


static void resp_reset(struct resp *r)
{
	free(r->raw);
	mem_deref(r->od);
	memset(r, 0, sizeof(*r));
}


/* Send raw bytes, run the loop until the reply is read. */
static int run_raw(struct fix *f, const char *raw, size_t len, bool all,
		   struct resp *r)
{
	struct job job;
	pthread_t tid;
	const char *eoh;
	int err;

	resp_reset(r);
	memset(&job, 0, sizeof(job));
	job.addr = f->laddr;
	job.raw = raw;
	job.len = len;
	job.read_all = all;
	job.mq = f->mq;

	err = pthread_create(&tid, NULL, client_thread, &job);
	if (err)
		return err;

	f->timeout = false;
	tmr_start(&f->tmr, DEADLINE_MS, deadline_handler, f);
	(void)re_main(NULL);
	tmr_cancel(&f->tmr);
	pthread_join(tid, NULL);

	if (f->timeout) {
		free(job.out);
		return ETIMEDOUT;
	}

	r->raw = job.out;
	r->rawlen = job.outlen;
	if (job.err)
		return job.err;

	if (!r->raw || sscanf(r->raw, "HTTP/1.1 %hu", &r->scode) != 1)
		return EBADMSG;

	eoh = strstr(r->raw, "\r\n\r\n");
	if (!eoh)
		return EBADMSG;
	r->body = eoh + 4;

	if (*r->body == '{')
		(void)json_decode_odict(&r->od, 16, r->body, strlen(r->body),
					8);

	return 0;
}


/* A request with Connection: close, signed as mode says. */
static int request(struct fix *f, const char *method, const char *target,
		   const char *body, enum auth_mode mode, struct resp *r)
{
	const struct store_app *app = mode == AUTH_APP2 ? &f->app2 : &f->app;
	char auth[512] = "";
	char *raw = NULL;
	size_t blen = body ? strlen(body) : 0;
	uint64_t ts = (uint64_t)time(NULL);
	int err = 0;

	switch (mode) {

	case AUTH_NONE:
		break;

	case AUTH_OK:
	case AUTH_APP2:
		err = sign_authorization(auth, sizeof(auth), app->secret_id,
					 app->secret_key, method, target, ts,
					 (const uint8_t *)body, blen);
		break;

	case AUTH_CRED:
		err = sign_authorization(auth, sizeof(auth), f->cred_id,
					 f->cred_key, method, target, ts,
					 (const uint8_t *)body, blen);
		break;

	case AUTH_BADSIG:
		err = sign_authorization(auth, sizeof(auth), app->secret_id,
					 "not-the-key", method, target, ts,
					 (const uint8_t *)body, blen);
		break;

	case AUTH_SKEW:
		err = sign_authorization(auth, sizeof(auth), app->secret_id,
					 app->secret_key, method, target,
					 ts - 301, (const uint8_t *)body,
					 blen);
		break;

	case AUTH_UNKNOWN_ID:
		err = sign_authorization(auth, sizeof(auth), "AKIDnobody",
					 app->secret_key, method, target, ts,
					 (const uint8_t *)body, blen);
		break;

	case AUTH_MALFORMED:
		str_ncpy(auth, "Basic YWxpY2U6c2VjcmV0", sizeof(auth));
		break;
	}

	if (err)
		return err;

	err = re_sdprintf(&raw, "%s %s HTTP/1.1\r\n"
			  "Host: 127.0.0.1\r\n"
			  "Connection: close\r\n"
			  "Content-Type: application/json\r\n"
			  "Content-Length: %zu\r\n"
			  "%s%s%s"
			  "\r\n"
			  "%s",
			  method, target, blen,
			  auth[0] ? "Authorization: " : "", auth,
			  auth[0] ? "\r\n" : "", body ? body : "");
	if (err)
		return err;

	err = run_raw(f, raw, strlen(raw), false, r);
	mem_deref(raw);

	return err;
}


/* Look up "a.b.0.c" in a decoded body. */
static const struct odict_entry *jget(const struct odict *od,
				      const char *path)
{
	const struct odict_entry *e = NULL;
	char buf[128], *key, *save = NULL;

	str_ncpy(buf, path, sizeof(buf));

	for (key = strtok_r(buf, ".", &save); key && od;
	     key = strtok_r(NULL, ".", &save)) {
		e = odict_lookup(od, key);
		if (!e)
			return NULL;
		od = odict_type_iscontainer(e->type) ? e->u.odict : NULL;
	}

	return key ? NULL : e;
}


static const char *jstr(const struct resp *r, const char *path)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	return (e && e->type == ODICT_STRING) ? e->u.str : "(absent)";
}


static int64_t jint(const struct resp *r, const char *path)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	return (e && e->type == ODICT_INT) ? e->u.integer : -999999;
}


static size_t jcount(const struct resp *r, const char *path)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	return (e && e->type == ODICT_ARRAY) ? odict_count(e->u.odict, false)
		: 9999;
}


static bool jhas(const struct resp *r, const char *path)
{
	return r->od && jget(r->od, path) != NULL;
}


#define REQ(f, m, t, b, a, r) \
	assert_int_equal(0, request((f), (m), (t), (b), (a), (r)))

#define ASSERT_ERROR(r, sc, code) do { \
		assert_int_equal((sc), (r)->scode); \
		assert_string_equal((code), jstr((r), "error.code")); \
		assert_true(jhas((r), "error.message")); \
	} while (0)


static void assert_healthy(struct fix *f)
{
	struct resp r = {0};

	REQ(f, "GET", "/healthz", NULL, AUTH_NONE, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("ok", jstr(&r, "status"));
	assert_non_null(strstr(r.raw, "Content-Type: application/json"));
	resp_reset(&r);
}


/* ------------------------------------------------------------------ */
/* Fixture                                                              */

static int group_setup(void **state)
{
	(void)state;

	if (libre_init())
		return -1;
	log_set_level(LOG_LEVEL_WARN);
	return 0;
}


static int group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}


static int api_start(struct fix *f, struct acd *acd)
{
	int err;

	f->api = mem_deref(f->api);

	err = api_alloc(&f->api, &f->cfg, f->st, "sip:127.0.0.1:5060", acd);
	if (!err)
		err = api_laddr(f->api, &f->laddr);

	return err;
}


static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -1;

	(void)sa_set_str(&f->cfg.http_laddr, "127.0.0.1", 0);
	str_ncpy(f->cfg.realm, "lianluo.test", sizeof(f->cfg.realm));
	f->cfg.ring_timeout_s = 20;
	f->cfg.max_wait_s     = 120;
	f->cfg.wrapup_s       = 5;
	f->cfg.token_ttl_s    = 300;
	f->cfg.sipcred_ttl_s  = 3600;
	f->cfg.http_max_body  = MAX_BODY;

	err = store_open(&f->st, ":memory:");
	if (!err)
		err = store_app_create(f->st, &f->app);
	if (!err)
		err = store_app_create(f->st, &f->app2);
	if (!err)
		err = mqueue_alloc(&f->mq, mq_handler, f);
	if (!err)
		err = acd_alloc(&f->acd, f->st, &f->cfg);
	if (!err)
		err = api_start(f, f->acd);
	if (err) {
		fprintf(stderr, "setup failed: %s\n", strerror(err));
		return -1;
	}

	assert_int_not_equal(0, sa_port(&f->laddr));

	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fix *f = *state;

	tmr_cancel(&f->tmr);
	mem_deref(f->api);
	mem_deref(f->mq);
	mem_deref(f->acd);
	mem_deref(f->st);
	free(f);
	return 0;
}


/* ------------------------------------------------------------------ */
/* Signature and JSON writer (no server)                               */

static void test_sign_vector(void **state)
{
	const char *body = "{\"user_id\":\"alice\"}";
	char hex[SIGN_HEX_SZ], hdr[256];
	struct pl met, tgt;
	(void)state;

	/* Expected values computed once with
	 *   printf 'POST\n/v1/staff?x=1\n1700000000\n<sha256 of body>' |
	 *   openssl dgst -sha256 -hmac test-secret-key */
	pl_set_str(&met, "POST");
	pl_set_str(&tgt, "/v1/staff?x=1");
	assert_int_equal(0, sign_compute(hex, "test-secret-key", &met, &tgt,
					 1700000000, (const uint8_t *)body,
					 strlen(body)));
	assert_string_equal("47c72fb968cc8d1d1b905c8c500bc536"
			    "db5a1ab12b11bf4e6e5b0008db471fe1", hex);

	/* Empty body: the hash of "" is signed. */
	pl_set_str(&met, "GET");
	pl_set_str(&tgt, "/v1/cdrs?limit=5");
	assert_int_equal(0, sign_compute(hex, "test-secret-key", &met, &tgt,
					 1700000000, NULL, 0));
	assert_string_equal("5f8e5e12ce0e9706f81525851b715357"
			    "dcb2da69a38ace68836c637d5d4ab08e", hex);

	assert_int_equal(0, sign_authorization(hdr, sizeof(hdr), "AKID1",
					       "test-secret-key", "GET",
					       "/v1/cdrs?limit=5", 1700000000,
					       NULL, 0));
	assert_string_equal("LL-HMAC-SHA256 SecretId=AKID1, "
			    "Timestamp=1700000000, Signature="
			    "5f8e5e12ce0e9706f81525851b715357"
			    "dcb2da69a38ace68836c637d5d4ab08e", hdr);

	assert_int_equal(ENOSPC, sign_authorization(hdr, 20, "AKID1", "k",
						    "GET", "/", 1, NULL, 0));
}


/* The worked example of docs/API.md */
static void test_sign_doc_example(void **state)
{
	const char *body = "{\"name\":\"sales\"}";
	char hdr[256];
	(void)state;

	assert_int_equal(0, sign_authorization(hdr, sizeof(hdr),
		"AKIDexample", "EXAMPLEsecretKEYdoNotUse0123456789abcdef",
		"POST", "/v1/skill-groups", 1700000000,
		(const uint8_t *)body, strlen(body)));
	assert_string_equal("LL-HMAC-SHA256 SecretId=AKIDexample, "
			    "Timestamp=1700000000, Signature="
			    "f8e0f2d859b6263b2216eeb51b3dd77d"
			    "a5ae4ee5d28b9c2cff1a7bb5e70c0e1f", hdr);
}


static void test_sign_decode_verify(void **state)
{
	static const char *badv[] = {
		"",
		"LL-HMAC-SHA256",
		"Basic Zm9vOmJhcg==",
		"LL-HMAC-SHA256 SecretId=a, Timestamp=1",
		"LL-HMAC-SHA256 SecretId=a, Timestamp=1x, Signature="
		"5f8e5e12ce0e9706f81525851b715357"
		"dcb2da69a38ace68836c637d5d4ab08e",
		"LL-HMAC-SHA256 SecretId=a, SecretId=b, Timestamp=1, "
		"Signature=5f8e5e12ce0e9706f81525851b715357"
		"dcb2da69a38ace68836c637d5d4ab08e",
		"LL-HMAC-SHA256 SecretId=a, Timestamp=1, Signature=abc",
		"LL-HMAC-SHA256 SecretId=a, Timestamp=1, Signature=, x=y",
		"LL-HMAC-SHA256 SecretId=a, Timestamp=1, Other=2, Signature="
		"5f8e5e12ce0e9706f81525851b715357"
		"dcb2da69a38ace68836c637d5d4ab08e",
	};
	const char *good = "ll-hmac-sha256 Signature="
		"5f8e5e12ce0e9706f81525851b715357"
		"dcb2da69a38ace68836c637d5d4ab08e,Timestamp=1700000000 ,"
		"  SecretId=AKID1";
	struct sign_auth auth;
	struct pl hv, met, tgt;
	char upper[SIGN_HEX_SZ];
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(badv); i++) {
		pl_set_str(&hv, badv[i]);
		assert_int_equal(EBADMSG, sign_decode(&auth, &hv));
	}

	pl_set_str(&hv, good);
	assert_int_equal(0, sign_decode(&auth, &hv));
	assert_int_equal(0, pl_strcmp(&auth.secret_id, "AKID1"));
	assert_true(auth.timestamp == 1700000000);

	pl_set_str(&met, "GET");
	pl_set_str(&tgt, "/v1/cdrs?limit=5");
	assert_int_equal(0, sign_verify(&auth, "test-secret-key", &met, &tgt,
					NULL, 0, 1700000000));
	/* Within and beyond the 300 s window, both directions */
	assert_int_equal(0, sign_verify(&auth, "test-secret-key", &met, &tgt,
					NULL, 0, 1700000300));
	assert_int_equal(ETIMEDOUT, sign_verify(&auth, "test-secret-key",
						&met, &tgt, NULL, 0,
						1700000301));
	assert_int_equal(ETIMEDOUT, sign_verify(&auth, "test-secret-key",
						&met, &tgt, NULL, 0,
						1699999699));
	/* Wrong key, other target, other method, a body */
	assert_int_equal(EACCES, sign_verify(&auth, "other-key", &met, &tgt,
					     NULL, 0, 1700000000));
	pl_set_str(&tgt, "/v1/cdrs?limit=6");
	assert_int_equal(EACCES, sign_verify(&auth, "test-secret-key", &met,
					     &tgt, NULL, 0, 1700000000));
	pl_set_str(&tgt, "/v1/cdrs?limit=5");
	pl_set_str(&met, "POST");
	assert_int_equal(EACCES, sign_verify(&auth, "test-secret-key", &met,
					     &tgt, NULL, 0, 1700000000));
	pl_set_str(&met, "GET");
	assert_int_equal(EACCES, sign_verify(&auth, "test-secret-key", &met,
					     &tgt, (const uint8_t *)"x", 1,
					     1700000000));

	/* The signature is lowercase hex: uppercase does not verify. */
	for (i = 0; i < SIGN_HEX_SZ - 1; i++)
		upper[i] = (char)toupper((unsigned char)auth.signature.p[i]);
	upper[SIGN_HEX_SZ - 1] = '\0';
	auth.signature.p = upper;
	assert_int_equal(EACCES, sign_verify(&auth, "test-secret-key", &met,
					     &tgt, NULL, 0, 1700000000));
}


static void test_jsonw(void **state)
{
	char buf[256];
	struct pl pl;
	bool t = true;
	(void)state;

	re_snprintf(buf, sizeof(buf), "%H", jsonw_str,
		    "a\"b\\c\n\t\x01/\xe8\x81\x94");
	assert_string_equal("\"a\\\"b\\\\c\\n\\t\\u0001/\xe8\x81\x94\"",
			    buf);

	/* Invalid UTF-8: a lone continuation byte, a truncated sequence,
	 * an overlong '/', a surrogate */
	re_snprintf(buf, sizeof(buf), "%H", jsonw_str,
		    "x\x80y\xe8\x81" "z\xc0\xafw\xed\xa0\x80");
	assert_string_equal("\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffdw"
			    "\\ufffd\\ufffd\\ufffd\"", buf);

	assert_true(jsonw_utf8_valid("a\xe8\x81\x94\xf0\x9f\x98\x80", 8));
	assert_true(jsonw_utf8_valid("", 0));
	assert_false(jsonw_utf8_valid("x\x80y", 3));

	/* NUL escapes: \u0000 is one, \\u0000 (an escaped backslash) not */
#define NUL_ESCAPED(s) jsonw_nul_escaped(s, sizeof(s) - 1)
	assert_true(NUL_ESCAPED("\"a\\u0000\""));
	assert_true(NUL_ESCAPED("\"\\\\\\u0000\""));
	assert_false(NUL_ESCAPED("\"\\\\u0000\""));
	assert_false(NUL_ESCAPED("\"\\u000\""));
	assert_false(NUL_ESCAPED("\\u000"));
#undef NUL_ESCAPED
	assert_false(jsonw_nul_escaped(NULL, 0));
	assert_false(jsonw_utf8_valid("\xe8\x81", 2));
	assert_false(jsonw_utf8_valid("\xc0\xaf", 2));
	assert_false(jsonw_utf8_valid("\xed\xa0\x80", 3));

	re_snprintf(buf, sizeof(buf), "%H", jsonw_str, NULL);
	assert_string_equal("null", buf);
	re_snprintf(buf, sizeof(buf), "%H", jsonw_str, "");
	assert_string_equal("\"\"", buf);

	pl_set_str(&pl, "abcdef");
	pl.l = 3;
	re_snprintf(buf, sizeof(buf), "%H", jsonw_pl, &pl);
	assert_string_equal("\"abc\"", buf);

	re_snprintf(buf, sizeof(buf), "%H", jsonw_bool, &t);
	assert_string_equal("true", buf);
}


/* ------------------------------------------------------------------ */
/* Server                                                               */

static void test_healthz(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};

	assert_healthy(f);

	/* Not a signed resource: signing does not hurt. */
	REQ(f, "GET", "/healthz", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);
}


/* Failure limits: per source address, then per SecretId. */
static void test_auth_limits(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	int i;

	f->cfg.auth_fail_addr = 3;
	f->cfg.auth_fail_user = 0;
	f->cfg.auth_fail_window_s = 60;
	assert_int_equal(0, api_start(f, f->acd));

	for (i = 0; i < 3; i++) {
		REQ(f, "GET", "/v1/staff", NULL, AUTH_UNKNOWN_ID, &r);
		ASSERT_ERROR(&r, 401, "AuthFailure");
		resp_reset(&r);
	}

	/* Even a good request from here; the secret is never echoed. */
	REQ(f, "GET", "/v1/staff", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 429, "TooManyRequests");
	assert_non_null(strstr(r.raw, "HTTP/1.1 429 Too Many Requests\r\n"));
	assert_non_null(strstr(r.raw, "\r\nRetry-After: 60\r\n"));
	assert_null(strstr(r.raw, f->app.secret_key));
	resp_reset(&r);
	REQ(f, "POST", "/v1/login", "{}", AUTH_NONE, &r);
	ASSERT_ERROR(&r, 429, "TooManyRequests");
	resp_reset(&r);
	assert_healthy(f);

	/* Per SecretId: the other application is not affected, and unknown
	 * SecretIds are not counted against any. */
	f->cfg.auth_fail_addr = 0;
	f->cfg.auth_fail_user = 2;
	assert_int_equal(0, api_start(f, f->acd));

	for (i = 0; i < 5; i++) {
		REQ(f, "GET", "/v1/staff", NULL, AUTH_UNKNOWN_ID, &r);
		ASSERT_ERROR(&r, 401, "AuthFailure");
		resp_reset(&r);
	}
	REQ(f, "GET", "/v1/staff", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	REQ(f, "GET", "/v1/staff", NULL, AUTH_BADSIG, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	REQ(f, "GET", "/v1/staff", NULL, AUTH_SKEW, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	REQ(f, "GET", "/v1/staff", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 429, "TooManyRequests");
	assert_non_null(strstr(r.raw, "\r\nRetry-After: "));
	resp_reset(&r);
	REQ(f, "GET", "/v1/staff", NULL, AUTH_APP2, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	f->cfg.auth_fail_user = 0;
	assert_int_equal(0, api_start(f, f->acd));
}


/* Header fields and JSON nesting are bounded. */
static void test_input_bounds(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	char raw[4096];
	size_t n;
	int i;

	n = (size_t)re_snprintf(raw, sizeof(raw), "GET /healthz HTTP/1.1\r\n");
	for (i = 0; i < 65; i++)
		n += (size_t)re_snprintf(raw + n, sizeof(raw) - n,
					 "X-H%d: v\r\n", i);
	(void)re_snprintf(raw + n, sizeof(raw) - n, "\r\n");
	assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
	ASSERT_ERROR(&r, 413, "RequestTooLarge");
	resp_reset(&r);
	assert_healthy(f);

	REQ(f, "POST", "/v1/skill-groups",
	    "{\"name\":[[[[[[[[[[[[]]]]]]]]]]]]}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	assert_string_equal("JSON nested deeper than 8 levels",
			    jstr(&r, "error.message"));
	resp_reset(&r);

	/* Seven levels are decoded (and then refused as the wrong type). */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":[[[[[[]]]]]]}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	assert_null(strstr(jstr(&r, "error.message"), "nested"));
	resp_reset(&r);
	assert_healthy(f);

	/* A NUL in the head would cut a header value short in C. */
	{
		static const char nul[] = "GET /healthz HTTP/1.1\r\n"
			"X-A: a\0b\r\n\r\n";

		assert_int_equal(0, run_raw(f, nul, sizeof(nul) - 1, false,
					    &r));
		ASSERT_ERROR(&r, 400, "InvalidParameter");
		resp_reset(&r);
		assert_healthy(f);
	}
}


static void test_auth_failures(void **state)
{
	struct fix *f = *state;
	static const enum auth_mode modev[] = {
		AUTH_NONE, AUTH_BADSIG, AUTH_SKEW, AUTH_UNKNOWN_ID,
		AUTH_MALFORMED,
	};
	struct resp r = {0};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modev); i++) {
		REQ(f, "GET", "/v1/staff", NULL, modev[i], &r);
		ASSERT_ERROR(&r, 401, "AuthFailure");
		assert_null(strstr(r.raw, f->app.secret_key));
		resp_reset(&r);
		assert_healthy(f);

		REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"g\"}",
		    modev[i], &r);
		ASSERT_ERROR(&r, 401, "AuthFailure");
		resp_reset(&r);
	}

	/* Nothing was created by the refused POSTs. */
	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(0, jcount(&r, "skill_groups"));
	resp_reset(&r);

	/* A signature over another body does not cover this one. */
	{
		char auth[512], raw[1024];
		const char *b1 = "{\"name\":\"g1\"}";
		const char *b2 = "{\"name\":\"g2\"}";

		assert_int_equal(0, sign_authorization(auth, sizeof(auth),
			f->app.secret_id, f->app.secret_key, "POST",
			"/v1/skill-groups", (uint64_t)time(NULL),
			(const uint8_t *)b1, strlen(b1)));
		re_snprintf(raw, sizeof(raw), "POST /v1/skill-groups HTTP/1.1"
			    "\r\nAuthorization: %s\r\nContent-Length: %zu"
			    "\r\nConnection: close\r\n\r\n%s", auth,
			    strlen(b2), b2);
		assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
		ASSERT_ERROR(&r, 401, "AuthFailure");
		assert_string_equal("signature mismatch",
				    jstr(&r, "error.message"));
		resp_reset(&r);
	}

	/* Skew message */
	REQ(f, "GET", "/v1/numbers", NULL, AUTH_SKEW, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	assert_string_equal("timestamp too far from server time",
			    jstr(&r, "error.message"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/numbers", NULL, AUTH_UNKNOWN_ID, &r);
	assert_string_equal("unknown SecretId", jstr(&r, "error.message"));
	resp_reset(&r);

	assert_healthy(f);
}


static void test_skill_groups(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	assert_int_equal(201, r.scode);
	assert_string_equal("sales", jstr(&r, "name"));
	assert_string_equal("longest-idle", jstr(&r, "strategy"));
	assert_int_equal(20, jint(&r, "ring_timeout_s"));
	assert_int_equal(5, jint(&r, "wrapup_s"));
	assert_int_equal(120, jint(&r, "max_wait_s"));
	assert_true(jint(&r, "created") > 0);
	resp_reset(&r);

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"support\","
	    "\"strategy\":\"round-robin\",\"ring_timeout_s\":15,"
	    "\"wrapup_s\":0,\"max_wait_s\":60}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_string_equal("round-robin", jstr(&r, "strategy"));
	assert_int_equal(15, jint(&r, "ring_timeout_s"));
	assert_int_equal(0, jint(&r, "wrapup_s"));
	assert_int_equal(60, jint(&r, "max_wait_s"));
	resp_reset(&r);

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"x\",\"strategy\":"
	    "\"random\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	/* Duplicate */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 409, "AlreadyExists");
	resp_reset(&r);

	/* Invalid: no name, bad strategy, out of range, wrong type */
	REQ(f, "POST", "/v1/skill-groups", "{}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	assert_string_equal("missing field 'name'",
			    jstr(&r, "error.message"));
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"y\",\"strategy\":"
	    "\"fastest\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"y\","
	    "\"ring_timeout_s\":0}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"y\","
	    "\"wrapup_s\":-1}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"y\","
	    "\"wrapup_s\":\"5\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"a/b\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":42}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	/* Path steps: a URL would lose them on the way. */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\".\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"..\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"...\"}", AUTH_OK,
	    &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/skill-groups/...", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(3, jcount(&r, "skill_groups"));
	resp_reset(&r);

	/* Another application sees none of them. */
	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_APP2, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(0, jcount(&r, "skill_groups"));
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/skill-groups/sales", NULL, AUTH_APP2, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/skill-groups/support", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("support", jstr(&r, "name"));
	assert_true(jget(r.od, "deleted")->u.boolean);
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/skill-groups/support", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_OK, &r);
	assert_int_equal(2, jcount(&r, "skill_groups"));
	resp_reset(&r);
}


static void test_staff(void **state)
{
	struct fix *f = *state;
	struct store_staff s;
	struct resp r = {0};

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\",\"name\":"
	    "\"Alice \\u674e\",\"phone\":\"+8613812345678\","
	    "\"extension\":\"1001\",\"password\":\"s3cret-pw\","
	    "\"skill_groups\":[{\"name\":\"sales\",\"level\":3}]}",
	    AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_string_equal("alice", jstr(&r, "user_id"));
	assert_string_equal("Alice \xe6\x9d\x8e", jstr(&r, "name"));
	assert_string_equal("+8613812345678", jstr(&r, "phone"));
	assert_string_equal("1001", jstr(&r, "extension"));
	assert_true(jget(r.od, "sip_password_set")->u.boolean);
	assert_int_equal(1, jcount(&r, "skill_groups"));
	assert_string_equal("sales", jstr(&r, "skill_groups.0.name"));
	assert_int_equal(3, jint(&r, "skill_groups.0.level"));
	assert_false(jhas(&r, "password"));
	assert_null(strstr(r.raw, "s3cret-pw"));
	resp_reset(&r);

	/* HA1 = MD5("1001:lianluo.test:s3cret-pw"), computed with
	 * openssl dgst -md5 */
	assert_int_equal(0, store_staff_get(f->st, f->app.sdk_app_id,
					    "alice", &s));
	assert_string_equal("fcda6a9765c0f127fc7eaa2f890cda17", s.ha1);

	/* Minimal member: user id only */
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"bob\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_string_equal("", jstr(&r, "extension"));
	assert_false(jget(r.od, "sip_password_set")->u.boolean);
	assert_int_equal(0, jcount(&r, "skill_groups"));
	resp_reset(&r);

	/* Duplicates: user id, extension */
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "AlreadyExists");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"carol\",\"extension\":"
	    "\"1001\",\"password\":\"pw\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "AlreadyExists");
	resp_reset(&r);

	/* Invalid */
	REQ(f, "POST", "/v1/staff", "{\"name\":\"nobody\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"a b\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"d\",\"phone\":\"12ab\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"d\",\"password\":\"x\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"d\",\"skill_groups\":"
	    "[{\"name\":\"sales\",\"level\":9}]}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"d\",\"skill_groups\":"
	    "\"sales\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	/* Unknown skill group: nothing is created */
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"d\",\"skill_groups\":"
	    "[{\"name\":\"nope\"}]}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	assert_int_equal(ENOENT, store_staff_get(f->st, f->app.sdk_app_id,
						 "d", &s));

	REQ(f, "GET", "/v1/staff", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "staff"));
	assert_string_equal("alice", jstr(&r, "staff.0.user_id"));
	assert_string_equal("sales", jstr(&r, "staff.0.skill_groups.0.name"));
	assert_int_equal(3, jint(&r, "staff.0.skill_groups.0.level"));
	assert_string_equal("bob", jstr(&r, "staff.1.user_id"));
	assert_null(strstr(r.raw, "ha1"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/staff", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jcount(&r, "staff"));
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/staff/bob", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("bob", jstr(&r, "user_id"));
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/staff/bob", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	/* Percent-encoded path segment */
	REQ(f, "DELETE", "/v1/staff/%61lice", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	REQ(f, "GET", "/v1/staff", NULL, AUTH_OK, &r);
	assert_int_equal(0, jcount(&r, "staff"));
	resp_reset(&r);
}


static void test_numbers(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	static const char *badv[] = {
		"{\"number\":\"12ab\",\"skill_group\":\"sales\"}",
		"{\"number\":\"+\",\"skill_group\":\"sales\"}",
		"{\"number\":\"\",\"skill_group\":\"sales\"}",
		"{\"number\":\"123456789012345678901\","
		"\"skill_group\":\"sales\"}",
		"{\"number\":\"++123\",\"skill_group\":\"sales\"}",
		"{\"number\":\"4001234567\"}",
		"{\"skill_group\":\"sales\"}",
		"{\"number\":4001234567,\"skill_group\":\"sales\"}",
	};
	size_t i;

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	REQ(f, "POST", "/v1/numbers", "{\"number\":\"+864001234567\","
	    "\"skill_group\":\"sales\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_string_equal("+864001234567", jstr(&r, "number"));
	assert_string_equal("sales", jstr(&r, "skill_group"));
	resp_reset(&r);

	REQ(f, "POST", "/v1/numbers", "{\"number\":\"12345678901234567890\","
	    "\"skill_group\":\"sales\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	for (i = 0; i < ARRAY_SIZE(badv); i++) {
		REQ(f, "POST", "/v1/numbers", badv[i], AUTH_OK, &r);
		ASSERT_ERROR(&r, 400, "InvalidParameter");
		resp_reset(&r);
	}

	REQ(f, "POST", "/v1/numbers", "{\"number\":\"4001\","
	    "\"skill_group\":\"nope\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	REQ(f, "POST", "/v1/numbers", "{\"number\":\"+864001234567\","
	    "\"skill_group\":\"sales\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "AlreadyExists");
	resp_reset(&r);

	REQ(f, "GET", "/v1/numbers", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "numbers"));
	resp_reset(&r);

	/* A group with a number is in use */
	REQ(f, "DELETE", "/v1/skill-groups/sales", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "ResourceInUse");
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/numbers/+864001234567", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("+864001234567", jstr(&r, "number"));
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/numbers/%2B864001234567", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/numbers/12x", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	REQ(f, "GET", "/v1/numbers", NULL, AUTH_OK, &r);
	assert_int_equal(1, jcount(&r, "numbers"));
	assert_string_equal("12345678901234567890",
			    jstr(&r, "numbers.0.number"));
	resp_reset(&r);
}


static int login_body(char *buf, size_t sz, const char *app,
		      const char *user, const char *token)
{
	return re_snprintf(buf, sz, "{\"sdk_app_id\":\"%s\",\"user_id\":"
			   "\"%s\",\"token\":\"%s\"}", app, user, token);
}


static void test_tokens_login(void **state)
{
	struct fix *f = *state;
	struct store_sipcred cred;
	struct resp r = {0};
	char token[512], tampered[512], body[1024], ha1[40];
	char user[64], pw[64];
	uint8_t md[16];
	int64_t now = (int64_t)time(NULL);
	size_t n;

	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"bob\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	/* Unknown user; missing user; other application's user */
	REQ(f, "POST", "/v1/sdk-login-tokens", "{\"user_id\":\"zed\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "POST", "/v1/sdk-login-tokens", "{}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/sdk-login-tokens", "{\"user_id\":\"alice\"}",
	    AUTH_APP2, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	REQ(f, "POST", "/v1/sdk-login-tokens", "{\"user_id\":\"alice\"}",
	    AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	str_ncpy(token, jstr(&r, "token"), sizeof(token));
	assert_true(strlen(token) > 40);
	assert_non_null(strchr(token, '.'));
	assert_true(jint(&r, "expires_at") >= now + 300 &&
		    jint(&r, "expires_at") <= now + 302);
	assert_string_equal(f->app.sdk_app_id, jstr(&r, "sdk_app_id"));
	resp_reset(&r);

	/* Tampered: one character of the payload, one of the MAC, the
	 * MAC dropped, garbage */
	str_ncpy(tampered, token, sizeof(tampered));
	tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
	login_body(body, sizeof(body), f->app.sdk_app_id, "alice", tampered);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	assert_healthy(f);

	str_ncpy(tampered, token, sizeof(tampered));
	n = strlen(tampered);
	tampered[n - 2] = tampered[n - 2] == 'A' ? 'B' : 'A';
	login_body(body, sizeof(body), f->app.sdk_app_id, "alice", tampered);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	str_ncpy(tampered, token, sizeof(tampered));
	*strchr(tampered, '.') = '\0';
	login_body(body, sizeof(body), f->app.sdk_app_id, "alice", tampered);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	login_body(body, sizeof(body), f->app.sdk_app_id, "alice",
		   "!!!.???");
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	/* Right token, wrong user or wrong application */
	login_body(body, sizeof(body), f->app.sdk_app_id, "bob", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	login_body(body, sizeof(body), f->app2.sdk_app_id, "alice", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	login_body(body, sizeof(body), "nosuchapp", "alice", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	/* Missing field */
	REQ(f, "POST", "/v1/login", "{\"user_id\":\"alice\"}", AUTH_NONE,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	/* Fresh token: the failed attempts above did not burn it */
	login_body(body, sizeof(body), f->app.sdk_app_id, "alice", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	assert_int_equal(200, r.scode);
	str_ncpy(user, jstr(&r, "sip_username"), sizeof(user));
	str_ncpy(pw, jstr(&r, "sip_password"), sizeof(pw));
	assert_int_equal(17, strlen(user));
	assert_int_equal('u', user[0]);
	assert_int_equal(24, strlen(pw));
	assert_string_equal("lianluo.test", jstr(&r, "sip_realm"));
	assert_string_equal("sip:127.0.0.1:5060", jstr(&r, "sip_uri"));
	assert_string_equal("sip:alice@127.0.0.1:5060", jstr(&r, "aor"));
	assert_true(jint(&r, "expires_at") >= now + 3600 &&
		    jint(&r, "expires_at") <= now + 3602);
	resp_reset(&r);

	assert_int_equal(0, store_sipcred_get(f->st, user, &cred));
	assert_string_equal(f->app.sdk_app_id, cred.sdk_app_id);
	assert_string_equal("alice", cred.user_id);
	assert_true(cred.expires >= now + 3600);
	assert_int_equal(0, md5_printf(md, "%s:lianluo.test:%s", user, pw));
	re_snprintf(ha1, sizeof(ha1), "%w", md, sizeof(md));
	assert_string_equal(ha1, cred.ha1);

	/* Reuse */
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "TokenUsed");
	resp_reset(&r);
	assert_healthy(f);

	/* Expired */
	assert_int_equal(0, api_token_issue(f->api, f->app.sdk_app_id, "bob",
					    now - 10, token, sizeof(token)));
	login_body(body, sizeof(body), f->app.sdk_app_id, "bob", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "TokenExpired");
	resp_reset(&r);

	/* A token for a deleted staff member */
	assert_int_equal(0, api_token_issue(f->api, f->app.sdk_app_id, "bob",
					    now + 60, token, sizeof(token)));
	REQ(f, "DELETE", "/v1/staff/bob", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);
	login_body(body, sizeof(body), f->app.sdk_app_id, "bob", token);
	REQ(f, "POST", "/v1/login", body, AUTH_NONE, &r);
	assert_int_equal(401, r.scode);
	resp_reset(&r);

	assert_healthy(f);
}


static void test_cdrs(void **state)
{
	struct fix *f = *state;
	struct store_cdr c;
	struct resp r = {0};

	memset(&c, 0, sizeof(c));
	str_ncpy(c.session_id, "s-1", sizeof(c.session_id));
	str_ncpy(c.sdk_app_id, f->app.sdk_app_id, sizeof(c.sdk_app_id));
	c.direction = STORE_DIR_INBOUND;
	str_ncpy(c.caller, "13812345678", sizeof(c.caller));
	str_ncpy(c.callee, "4001234567", sizeof(c.callee));
	str_ncpy(c.group, "sales", sizeof(c.group));
	str_ncpy(c.agent, "alice", sizeof(c.agent));
	c.offered_ms  = 1700000000000;
	c.queued_ms   = 1700000000100;
	c.ringing_ms  = 1700000001000;
	c.answered_ms = 1700000002000;
	c.ended_ms    = 1700000012000;
	str_ncpy(c.end_status, "answered", sizeof(c.end_status));
	str_ncpy(c.hangup_side, "caller", sizeof(c.hangup_side));
	c.end_scode = 200;
	str_ncpy(c.uui, "order \"42\"", sizeof(c.uui));
	c.duration_s = 10;
	assert_int_equal(0, store_cdr_add(f->st, &c));

	str_ncpy(c.session_id, "s-2", sizeof(c.session_id));
	c.direction = STORE_DIR_OUTBOUND;
	c.offered_ms = 1700000100000;
	c.ended_ms = 1700000110000;
	assert_int_equal(0, store_cdr_add(f->st, &c));

	str_ncpy(c.session_id, "s-3", sizeof(c.session_id));
	str_ncpy(c.sdk_app_id, f->app2.sdk_app_id, sizeof(c.sdk_app_id));
	assert_int_equal(0, store_cdr_add(f->st, &c));

	REQ(f, "GET", "/v1/cdrs", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "cdrs"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/cdrs?limit=5", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "cdrs"));
	{
		/* Find s-1 whatever the order */
		const char *p = !strcmp(jstr(&r, "cdrs.0.session_id"), "s-1")
			? "cdrs.0" : "cdrs.1";
		char k[64];

#define K(x) (re_snprintf(k, sizeof(k), "%s.%s", p, x), k)
		assert_string_equal("s-1", jstr(&r, K("session_id")));
		assert_string_equal(f->app.sdk_app_id,
				    jstr(&r, K("sdk_app_id")));
		assert_string_equal("inbound", jstr(&r, K("direction")));
		assert_string_equal("13812345678", jstr(&r, K("caller")));
		assert_string_equal("4001234567", jstr(&r, K("callee")));
		assert_string_equal("sales", jstr(&r, K("group")));
		assert_string_equal("alice", jstr(&r, K("agent")));
		assert_true(jint(&r, K("offered_ms")) == 1700000000000);
		assert_true(jint(&r, K("queued_ms")) == 1700000000100);
		assert_true(jint(&r, K("ringing_ms")) == 1700000001000);
		assert_true(jint(&r, K("answered_ms")) == 1700000002000);
		assert_true(jint(&r, K("ended_ms")) == 1700000012000);
		assert_string_equal("answered", jstr(&r, K("end_status")));
		assert_string_equal("caller", jstr(&r, K("hangup_side")));
		assert_int_equal(200, jint(&r, K("end_scode")));
		assert_string_equal("order \"42\"", jstr(&r, K("uui")));
		assert_string_equal("", jstr(&r, K("remark")));
		assert_int_equal(10, jint(&r, K("duration_s")));
#undef K
	}
	resp_reset(&r);

	REQ(f, "GET", "/v1/cdrs?limit=1", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jcount(&r, "cdrs"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/cdrs?x=y&limit=1", NULL, AUTH_OK, &r);
	assert_int_equal(1, jcount(&r, "cdrs"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/cdrs?limit=0", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "GET", "/v1/cdrs?limit=abc", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "GET", "/v1/cdrs?limit=1001", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	/* The query is signed: a signature for another limit fails. */
	{
		char auth[512], raw[1024];

		assert_int_equal(0, sign_authorization(auth, sizeof(auth),
			f->app.secret_id, f->app.secret_key, "GET",
			"/v1/cdrs?limit=1", (uint64_t)time(NULL), NULL, 0));
		re_snprintf(raw, sizeof(raw), "GET /v1/cdrs?limit=2 HTTP/1.1"
			    "\r\nAuthorization: %s\r\n"
			    "Connection: close\r\n\r\n", auth);
		assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
		ASSERT_ERROR(&r, 401, "AuthFailure");
		resp_reset(&r);
	}
}


/* GET /v1/status: the ACD's live agents and calls of the application */
static void test_status(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};

	REQ(f, "GET", "/v1/status", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("{\"agents\":[],\"calls\":[]}", r.body);
	resp_reset(&r);

	REQ(f, "GET", "/v1/status", NULL, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);

	REQ(f, "GET", "/v1/status", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jcount(&r, "agents"));
	assert_string_equal("alice", jstr(&r, "agents.0.user_id"));
	assert_string_equal("offline", jstr(&r, "agents.0.status"));
	assert_int_equal(0, jcount(&r, "calls"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/status", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jcount(&r, "agents"));
	resp_reset(&r);

	/* Without an ACD the API still answers, with nothing live */
	assert_int_equal(0, api_start(f, NULL));
	REQ(f, "GET", "/v1/status", NULL, AUTH_OK, &r);
	assert_string_equal("{\"agents\":[],\"calls\":[]}", r.body);
	resp_reset(&r);
}


static void test_hostile(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	char *big, *raw = NULL;
	size_t n;

	/* Body over http_max_body, signed correctly */
	n = MAX_BODY + 100;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	REQ(f, "POST", "/v1/staff", big, AUTH_OK, &r);
	ASSERT_ERROR(&r, 413, "RequestTooLarge");
	resp_reset(&r);
	assert_healthy(f);

	/* Exactly at the limit is accepted (and parsed) */
	big[MAX_BODY - 1] = '}';
	big[MAX_BODY] = '\0';
	REQ(f, "POST", "/v1/skill-groups", big, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	assert_string_equal("missing field 'name'",
			    jstr(&r, "error.message"));
	resp_reset(&r);
	free(big);

	/* A huge Content-Length is refused before any body arrives, and
	 * before authentication. */
	REQ(f, "GET", "/healthz", NULL, AUTH_NONE, &r);
	resp_reset(&r);
	raw = "POST /v1/staff HTTP/1.1\r\nContent-Length: 10000000000\r\n"
		"\r\n{";
	assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
	ASSERT_ERROR(&r, 413, "RequestTooLarge");
	assert_non_null(strstr(r.raw, "Connection: close"));
	resp_reset(&r);
	assert_healthy(f);

	/* Headers that never end */
	big = malloc(20000);
	assert_non_null(big);
	memcpy(big, "GET /healthz HTTP/1.1\r\nX: ", 26);
	memset(big + 26, 'a', 20000 - 27);
	big[19999] = '\0';
	assert_int_equal(0, run_raw(f, big, strlen(big), false, &r));
	ASSERT_ERROR(&r, 413, "RequestTooLarge");
	resp_reset(&r);
	free(big);
	assert_healthy(f);

	/* Malformed JSON, not an object, empty body */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	assert_healthy(f);
	REQ(f, "POST", "/v1/skill-groups", "[1,2]", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"\\ud800\"}", AUTH_OK,
	    &r);
	assert_true(r.scode == 400 || r.scode == 201);
	resp_reset(&r);
	assert_healthy(f);

	/* Unknown route, wrong method, bad path parameter */
	REQ(f, "GET", "/v1/nothing", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "GET", "/v1/staff/alice/x", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "GET", "/", NULL, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/staff", "{}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 405, "MethodNotAllowed");
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/staff", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 405, "MethodNotAllowed");
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/staff/%zz", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/staff/a%00b", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	assert_healthy(f);

	/* Not HTTP, bad Content-Length, chunked */
	raw = "HELLO\r\n\r\n";
	assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	raw = "POST /v1/staff HTTP/1.1\r\nContent-Length: 12x\r\n\r\n";
	assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	raw = "POST /v1/staff HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		"2\r\n{}\r\n0\r\n\r\n";
	assert_int_equal(0, run_raw(f, raw, strlen(raw), false, &r));
	ASSERT_ERROR(&r, 411, "LengthRequired");
	resp_reset(&r);
	assert_healthy(f);

	/* Keep-alive and pipelining: two replies on one connection */
	raw = "GET /healthz HTTP/1.1\r\n\r\n"
		"GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n";
	assert_int_equal(0, run_raw(f, raw, strlen(raw), true, &r));
	assert_int_equal(200, r.scode);
	assert_non_null(strstr(r.raw, "HTTP/1.1 404 Not Found"));
	resp_reset(&r);

	assert_healthy(f);
}


/* ------------------------------------------------------------------ */
/* Skill group settings, agents, metrics                                */

static bool jbool(const struct resp *r, const char *path, bool *v)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	if (!e || e->type != ODICT_BOOL)
		return false;

	*v = e->u.boolean;
	return true;
}


static bool jnull(const struct resp *r, const char *path)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	return e && e->type == ODICT_NULL;
}


static double jnum(const struct resp *r, const char *path)
{
	const struct odict_entry *e = r->od ? jget(r->od, path) : NULL;

	if (e && e->type == ODICT_INT)
		return (double)e->u.integer;
	if (e && e->type == ODICT_DOUBLE)
		return e->u.dbl;
	return -999999.0;
}


/* Queue limits, overflow and service level of skill groups */
static void test_group_settings(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	bool b = true;

	/* Names are UTF-8 ("any UTF-8 but controls"): one that is not
	 * would be listed with U+FFFD, a name that finds nothing. */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"a\xff\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"a\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_int_equal(0, jint(&r, "max_queue_len"));
	assert_string_equal("", jstr(&r, "overflow_group"));
	assert_true(jbool(&r, "last_agent_first", &b));
	assert_false(b);
	assert_int_equal(20, jint(&r, "service_level_s"));
	assert_int_equal(5, jint(&r, "ring_step_s"));
	resp_reset(&r);

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"b\","
	    "\"max_queue_len\":10000,\"overflow_group\":\"a\","
	    "\"last_agent_first\":true,\"service_level_s\":3600,"
	    "\"ring_step_s\":60}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_int_equal(10000, jint(&r, "max_queue_len"));
	assert_string_equal("a", jstr(&r, "overflow_group"));
	assert_true(jbool(&r, "last_agent_first", &b));
	assert_true(b);
	assert_int_equal(3600, jint(&r, "service_level_s"));
	assert_int_equal(60, jint(&r, "ring_step_s"));
	resp_reset(&r);

	/* out of range, wrong types, nonsense */
	{
		static const char *const badv[] = {
			"{\"name\":\"c\",\"max_queue_len\":10001}",
			"{\"name\":\"c\",\"max_queue_len\":-1}",
			"{\"name\":\"c\",\"service_level_s\":0}",
			"{\"name\":\"c\",\"service_level_s\":3601}",
			"{\"name\":\"c\",\"ring_step_s\":0}",
			"{\"name\":\"c\",\"ring_step_s\":61}",
			"{\"name\":\"c\",\"ring_step_s\":1e99}",
			"{\"name\":\"c\",\"max_queue_len\":"
			"99999999999999999999999}",
			"{\"name\":\"c\",\"last_agent_first\":\"yes\"}",
			"{\"name\":\"c\",\"overflow_group\":7}",
			"{\"name\":\"c\",\"overflow_group\":\"x/y\"}",
			"{\"name\":\"c\",\"strategy\":\"loudest\"}",
		};

		for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
			REQ(f, "POST", "/v1/skill-groups", badv[i], AUTH_OK,
			    &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
		}
	}

	/* overflow to itself, to nowhere, around a loop */
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"c\","
	    "\"overflow_group\":\"c\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "OverflowCycle");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"c\","
	    "\"overflow_group\":\"x'; DROP TABLE skill_groups;--\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/a", "{\"overflow_group\":\"b\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "OverflowCycle");
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"c\","
	    "\"overflow_group\":\"b\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/a", "{\"overflow_group\":\"c\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "OverflowCycle");   /* a -> c -> b -> a */
	resp_reset(&r);

	/* update: fields left out keep their values */
	REQ(f, "PUT", "/v1/skill-groups/b", "{\"ring_step_s\":7,"
	    "\"strategy\":\"round-robin\",\"max_wait_s\":null}", AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(7, jint(&r, "ring_step_s"));
	assert_string_equal("round-robin", jstr(&r, "strategy"));
	assert_int_equal(10000, jint(&r, "max_queue_len"));
	assert_string_equal("a", jstr(&r, "overflow_group"));
	assert_int_equal(120, jint(&r, "max_wait_s"));
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/b", "{\"service_level_s\":0}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/nope", "{}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/b", "{\"ring_step_s\":", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/b", "{}", AUTH_APP2, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	/* a group that is another's overflow is not deleted */
	REQ(f, "DELETE", "/v1/skill-groups/a", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "ResourceInUse");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/skill-groups/b", "{\"overflow_group\":\"\"}",
	    AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("", jstr(&r, "overflow_group"));
	resp_reset(&r);
	REQ(f, "DELETE", "/v1/skill-groups/a", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_OK, &r);
	assert_int_equal(2, jcount(&r, "skill_groups"));
	assert_string_equal("b", jstr(&r, "skill_groups.0.name"));
	assert_int_equal(7, jint(&r, "skill_groups.0.ring_step_s"));
	assert_int_equal(3600, jint(&r, "skill_groups.0.service_level_s"));
	assert_string_equal("b", jstr(&r, "skill_groups.1.overflow_group"));
	resp_reset(&r);

	assert_healthy(f);
}


static int agent_register(struct fix *f, const char *user)
{
	char contact[128];

	re_snprintf(contact, sizeof(contact), "sip:%s@127.0.0.1:5999", user);

	return acd_agent_register(f->acd, f->app.sdk_app_id, user, contact,
				  "udp", NULL, 3600);
}


/* Rest reasons in the settings */
static void test_rest_reasons(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	char body[2048];
	size_t n;

	REQ(f, "GET", "/v1/settings", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(4, jcount(&r, "rest_reasons"));
	assert_string_equal("break", jstr(&r, "rest_reasons.0"));
	resp_reset(&r);

	REQ(f, "PUT", "/v1/settings", "{\"rest_reasons\":[\"tea\","
	    "\"lunch\",\"O'Brien \\\"q\\\"\"]}", AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(3, jcount(&r, "rest_reasons"));
	assert_string_equal("lunch", jstr(&r, "rest_reasons.1"));
	assert_string_equal("O'Brien \"q\"", jstr(&r, "rest_reasons.2"));
	assert_int_equal(0, jint(&r, "cdr_retention_days"));
	resp_reset(&r);

	/* the retention alone leaves the reasons as they are */
	REQ(f, "PUT", "/v1/settings", "{\"cdr_retention_days\":3}", AUTH_OK,
	    &r);
	assert_int_equal(3, jcount(&r, "rest_reasons"));
	resp_reset(&r);

	{
		static const char *const badv[] = {
			"{\"rest_reasons\":[]}",
			"{\"rest_reasons\":\"tea,lunch\"}",
			"{\"rest_reasons\":[\"a,b\"]}",
			"{\"rest_reasons\":[\"a/b\"]}",
			"{\"rest_reasons\":[\"\"]}",
			"{\"rest_reasons\":[\"tea\",\"tea\"]}",
			"{\"rest_reasons\":[1]}",
			"{\"rest_reasons\":[null]}",
			"{\"rest_reasons\":[[\"x\"]]}",
			"{\"rest_reasons\":[\"a\\u0001\"]}",
			"{\"rest_reasons\":{\"a\":1}}",
		};

		for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
			REQ(f, "PUT", "/v1/settings", badv[i], AUTH_OK, &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
		}
	}

	/* 33 names; a name of 64 bytes; 32 names too long together */
	n = (size_t)re_snprintf(body, sizeof(body), "{\"rest_reasons\":[");
	for (int i = 0; i < 33; i++)
		n += (size_t)re_snprintf(body + n, sizeof(body) - n,
					 "%s\"r%d\"", i ? "," : "", i);
	re_snprintf(body + n, sizeof(body) - n, "]}");
	REQ(f, "PUT", "/v1/settings", body, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	n = (size_t)re_snprintf(body, sizeof(body), "{\"rest_reasons\":[\"");
	memset(body + n, 'x', 64);
	re_snprintf(body + n + 64, sizeof(body) - n - 64, "\"]}");
	REQ(f, "PUT", "/v1/settings", body, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	n = (size_t)re_snprintf(body, sizeof(body), "{\"rest_reasons\":[");
	for (int i = 0; i < 32; i++)
		n += (size_t)re_snprintf(body + n, sizeof(body) - n,
			"%s\"%02d45678901234567890123456789\"",
			i ? "," : "", i);
	re_snprintf(body + n, sizeof(body) - n, "]}");
	REQ(f, "PUT", "/v1/settings", body, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);

	REQ(f, "GET", "/v1/settings", NULL, AUTH_OK, &r);
	assert_int_equal(3, jcount(&r, "rest_reasons"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/settings", NULL, AUTH_APP2, &r);
	assert_int_equal(4, jcount(&r, "rest_reasons"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/audit-log", NULL, AUTH_OK, &r);
	assert_string_equal("settings.update", jstr(&r, "entries.0.action"));
	assert_int_equal(3, jcount(&r, "entries.0.detail.rest_reasons"));
	resp_reset(&r);
}


/* /v1/agents: list, one, a supervisor's status change, the history */
static void test_agents(void **state)
{
	struct fix *f = *state;
	struct resp r = {0};
	char *body;
	size_t n;
	bool b = true;

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\",\"name\":\"A\","
	    "\"skill_groups\":[{\"name\":\"sales\"}]}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"bob\"}", AUTH_OK, &r);
	resp_reset(&r);

	REQ(f, "GET", "/v1/agents", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "agents"));
	assert_string_equal("alice", jstr(&r, "agents.0.user_id"));
	assert_string_equal("offline", jstr(&r, "agents.0.status"));
	assert_true(jnull(&r, "agents.0.pending"));
	assert_true(jbool(&r, "agents.0.registered", &b));
	assert_false(b);
	resp_reset(&r);
	REQ(f, "GET", "/v1/agents", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jcount(&r, "agents"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/agents", NULL, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	/* offline: no status can be set */
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"free\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 409, "AgentOffline");
	resp_reset(&r);

	assert_int_equal(0, agent_register(f, "alice"));

	REQ(f, "GET", "/v1/agents/alice", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("free", jstr(&r, "status"));
	assert_string_equal("A", jstr(&r, "name"));
	assert_true(jbool(&r, "registered", &b));
	assert_true(b);
	assert_true(jint(&r, "since_ms") > 0);
	resp_reset(&r);

	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"rest\","
	    "\"reason\":\"lunch\",\"after_call\":false,\"arrange_s\":0}",
	    AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("rest", jstr(&r, "status"));
	assert_string_equal("lunch", jstr(&r, "reason"));
	resp_reset(&r);

	/* a reason the application does not have; a status that does not
	 * exist; wrong types; bad JSON; unknown user */
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"rest\","
	    "\"reason\":\"nap\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 422, "StatusNotAllowed");
	resp_reset(&r);
	{
		static const char *const badv[] = {
			"{\"status\":\"sleeping\"}",
			"{\"status\":\"\"}",
			"{\"status\":5}",
			"{\"reason\":\"lunch\"}",
			"{\"status\":\"rest\",\"reason\":[\"lunch\"]}",
			"{\"status\":\"rest\",\"reason\":\"a,b\"}",
			"{\"status\":\"free\",\"after_call\":1}",
			"{\"status\":\"arrange\",\"arrange_s\":3601}",
			"{\"status\":\"arrange\",\"arrange_s\":-5}",
			"{\"status\":\"arrange\",\"arrange_s\":"
			"184467440737095516160}",
			"{\"status\":\"free\"",
			"\"free\"",
			"{\"status\":\"free'; DROP TABLE staff;--\"}",
		};

		for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
			REQ(f, "PUT", "/v1/agents/alice/status", badv[i],
			    AUTH_OK, &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
		}
	}
	REQ(f, "PUT", "/v1/agents/nobody/status", "{\"status\":\"free\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"free\"}",
	    AUTH_APP2, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "GET", "/v1/agents/x'%3B%20DROP%20TABLE%20staff%3B--", NULL,
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "GET", "/v1/agents/alice/nothing", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);
	REQ(f, "POST", "/v1/agents/alice/status", "{}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 405, "MethodNotAllowed");
	resp_reset(&r);

	/* a 64 KiB reason, under a body limit that lets it be parsed */
	f->cfg.http_max_body = 128 * 1024;
	body = malloc(70000);
	assert_non_null(body);
	n = (size_t)re_snprintf(body, 70000, "{\"status\":\"rest\","
				"\"reason\":\"");
	memset(body + n, 'z', 65536);
	strcpy(body + n + 65536, "\"}");
	REQ(f, "PUT", "/v1/agents/alice/status", body, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	free(body);
	f->cfg.http_max_body = MAX_BODY;
	assert_healthy(f);

	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"free\"}",
	    AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("free", jstr(&r, "status"));
	resp_reset(&r);

	/* the history: free -> rest (lunch, by this SecretId) -> free */
	REQ(f, "GET", "/v1/agents/alice/status-history", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("alice", jstr(&r, "user_id"));
	assert_true(jcount(&r, "changes") >= 2);
	{
		size_t c = jcount(&r, "changes");
		char p[64];

		re_snprintf(p, sizeof(p), "changes.%zu.from", c - 2);
		assert_string_equal("free", jstr(&r, p));
		re_snprintf(p, sizeof(p), "changes.%zu.to", c - 2);
		assert_string_equal("rest", jstr(&r, p));
		re_snprintf(p, sizeof(p), "changes.%zu.reason", c - 2);
		assert_string_equal("lunch", jstr(&r, p));
		re_snprintf(p, sizeof(p), "changes.%zu.actor", c - 2);
		assert_string_equal(f->app.secret_id, jstr(&r, p));
		re_snprintf(p, sizeof(p), "changes.%zu.to", c - 1);
		assert_string_equal("free", jstr(&r, p));
	}
	resp_reset(&r);

	REQ(f, "GET", "/v1/agents/alice/status-history?limit=1&from_ms=0",
	    NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jcount(&r, "changes"));
	assert_int_equal(0, jint(&r, "from_ms"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/agents/alice/status-history?from_ms=1&to_ms=2",
	    NULL, AUTH_OK, &r);
	assert_int_equal(0, jcount(&r, "changes"));
	resp_reset(&r);
	{
		static const char *const badv[] = {
			"?limit=0", "?limit=1001", "?limit=99999999999",
			"?from_ms=abc", "?from_ms=-1", "?to_ms=1&from_ms=2",
			"?to_ms=99999999999999999999", "?from_ms=1&from_ms=2",
			"?to_ms=%zz",
		};

		for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
			char t[128];

			re_snprintf(t, sizeof(t),
				    "/v1/agents/alice/status-history%s",
				    badv[i]);
			REQ(f, "GET", t, NULL, AUTH_OK, &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
		}
	}
	REQ(f, "GET", "/v1/agents/nobody/status-history", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	resp_reset(&r);

	/* a reason must be one of the application's */
	REQ(f, "PUT", "/v1/settings", "{\"rest_reasons\":[\"tea\"]}",
	    AUTH_OK, &r);
	resp_reset(&r);
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"rest\","
	    "\"reason\":\"lunch\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 422, "StatusNotAllowed");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"rest\","
	    "\"reason\":\"tea\"}", AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("tea", jstr(&r, "reason"));
	resp_reset(&r);

	/* during a call a change waits for the call to end */
	REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":\"free\"}",
	    AUTH_OK, &r);
	resp_reset(&r);
	REQ(f, "POST", "/v1/numbers", "{\"number\":\"4001\","
	    "\"skill_group\":\"sales\"}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	{
		struct acd_call *call = NULL;
		char callerid[32];

		assert_int_equal(0, acd_call_alloc(&call, f->acd,
						   f->app.sdk_app_id, false,
						   "alice", "13812345678"));
		assert_int_equal(0, acd_call_outbound(call, "alice", callerid,
						      sizeof(callerid)));

		REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":"
		    "\"rest\",\"reason\":\"tea\"}", AUTH_OK, &r);
		assert_int_equal(200, r.scode);
		assert_string_equal("busy", jstr(&r, "status"));
		assert_string_equal("rest", jstr(&r, "pending"));
		assert_string_equal("tea", jstr(&r, "pending_reason"));
		assert_string_not_equal("", jstr(&r, "call_id"));
		resp_reset(&r);

		REQ(f, "PUT", "/v1/agents/alice/status", "{\"status\":"
		    "\"arrange\",\"arrange_s\":30}", AUTH_OK, &r);
		ASSERT_ERROR(&r, 422, "StatusNotAllowed");
		resp_reset(&r);

		acd_call_end(call, "answered", "agent", 0);
		mem_deref(call);
	}
	REQ(f, "GET", "/v1/agents/alice", NULL, AUTH_OK, &r);
	assert_string_equal("rest", jstr(&r, "status"));
	assert_string_equal("tea", jstr(&r, "reason"));
	assert_true(jnull(&r, "pending"));
	resp_reset(&r);

	assert_healthy(f);
}


static void add_cdr(struct fix *f, const char *sid, const char *group,
		    int64_t offered_ms, int64_t wait_ms, int64_t talk_ms,
		    const char *status, const char *agent)
{
	struct store_cdr c;

	memset(&c, 0, sizeof(c));
	str_ncpy(c.session_id, sid, sizeof(c.session_id));
	str_ncpy(c.sdk_app_id, f->app.sdk_app_id, sizeof(c.sdk_app_id));
	c.direction = STORE_DIR_INBOUND;
	str_ncpy(c.caller, "+8613812345678", sizeof(c.caller));
	str_ncpy(c.callee, "4001", sizeof(c.callee));
	str_ncpy(c.group, group, sizeof(c.group));
	str_ncpy(c.agent, agent, sizeof(c.agent));
	c.offered_ms = offered_ms;
	c.queued_ms = offered_ms + 10;
	if (talk_ms >= 0) {
		c.answered_ms = c.queued_ms + wait_ms;
		c.ended_ms = c.answered_ms + talk_ms;
	}
	else {
		c.ended_ms = c.queued_ms + wait_ms;
	}
	str_ncpy(c.end_status, status, sizeof(c.end_status));
	str_ncpy(c.hangup_side, "caller", sizeof(c.hangup_side));

	assert_int_equal(0, store_cdr_add(f->st, &c));
}


static void offer_handler(struct acd_call *call, const char *user_id,
			  const char *contact, uint32_t ring_timeout_s,
			  void *arg)
{
	(void)call;
	(void)user_id;
	(void)contact;
	(void)ring_timeout_s;
	(void)arg;
}


static int raw_get(struct fix *f, const char *target, const char *auth,
		   struct resp *r)
{
	char raw[512];

	re_snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\n"
		    "Connection: close\r\n%s%s%s\r\n", target,
		    auth ? "Authorization: " : "", auth ? auth : "",
		    auth ? "\r\n" : "");

	return run_raw(f, raw, strlen(raw), false, r);
}


/* /v1/metrics/queues, /v1/metrics/agents and /metrics (Prometheus) */
static void test_metrics(void **state)
{
	static const char token[] = "0123456789abcdef0123456789abcdef";
	struct fix *f = *state;
	struct acd_call *call = NULL;
	struct resp r = {0};
	struct timespec ts;
	int64_t now;
	char line[512], auth[128];

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;

	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"sales\"}", AUTH_OK,
	    &r);
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups", "{\"name\":\"q\\\"a\\\\b\"}",
	    AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"alice\","
	    "\"skill_groups\":[{\"name\":\"sales\"}]}", AUTH_OK, &r);
	resp_reset(&r);
	REQ(f, "POST", "/v1/staff", "{\"user_id\":\"bob\","
	    "\"skill_groups\":[{\"name\":\"sales\"}]}", AUTH_OK, &r);
	resp_reset(&r);
	assert_int_equal(0, agent_register(f, "alice"));

	/* 4 offered, 3 answered after 2, 10 and 30 s, 1 abandoned after
	 * 3 s: service level 2 / (4 - 1) */
	add_cdr(f, "m1", "sales", now - 90000, 2000, 5000, "answered",
		"alice");
	add_cdr(f, "m2", "sales", now - 80000, 10000, 1000, "answered",
		"alice");
	add_cdr(f, "m3", "sales", now - 70000, 30000, 2000, "answered",
		"alice");
	add_cdr(f, "m4", "sales", now - 60000, 3000, -1, "abandoned", "");
	add_cdr(f, "m5", "sales", now - 3600 * 1000 - 5000, 1000, 1000,
		"answered", "alice");   /* before the last hour */

	/* one call waiting in the quoted group, which has no agent */
	assert_int_equal(0, acd_call_alloc(&call, f->acd, f->app.sdk_app_id,
					   true, "+8613812345678", "4002"));
	assert_int_equal(0, acd_call_queue(call, "q\"a\\b", offer_handler,
					   NULL, NULL));

	REQ(f, "GET", "/v1/metrics/queues?window=15m", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "queues"));
	assert_string_equal("q\"a\\b", jstr(&r, "queues.0.group"));
	assert_int_equal(1, jint(&r, "queues.0.now.waiting"));
	assert_int_equal(0, jint(&r, "queues.0.now.ringing"));
	assert_true(jint(&r, "queues.0.now.longest_wait_s") >= 0);
	assert_string_equal("sales", jstr(&r, "queues.1.group"));
	assert_int_equal(20, jint(&r, "queues.1.service_level_s"));
	assert_int_equal(0, jint(&r, "queues.1.now.waiting"));
	assert_int_equal(1, jint(&r, "queues.1.now.agents.free"));
	assert_int_equal(1, jint(&r, "queues.1.now.agents.offline"));
	assert_int_equal(0, jint(&r, "queues.1.now.agents.busy"));
	assert_int_equal(4, jint(&r, "queues.1.windows.15m.offered"));
	assert_int_equal(3, jint(&r, "queues.1.windows.15m.answered"));
	assert_int_equal(1, jint(&r, "queues.1.windows.15m.abandoned"));
	assert_int_equal(1, jint(&r, "queues.1.windows.15m.abandoned_5s"));
	assert_int_equal(0, jint(&r, "queues.1.windows.15m.timeouts"));
	assert_int_equal(14000, jint(&r, "queues.1.windows.15m.asa_ms"));
	assert_true(jnum(&r, "queues.1.windows.15m.asa_s") == 14.0);
	assert_true(jnum(&r, "queues.1.windows.15m.service_level_pct")
		    == 66.7);
	assert_int_equal(8, jint(&r, "queues.1.windows.15m.talk_s"));
	assert_false(jhas(&r, "queues.1.windows.today"));
	assert_true(jnull(&r, "queues.0.windows.15m.service_level_pct"));
	assert_null(strstr(r.body, "13812345678"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/metrics/queues", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_true(jhas(&r, "queues.1.windows.15m"));
	assert_true(jhas(&r, "queues.1.windows.today"));
	assert_false(jhas(&r, "queues.1.windows.1h"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/metrics/queues?window=1h", NULL, AUTH_OK, &r);
	assert_int_equal(4, jint(&r, "queues.1.windows.1h.offered"));
	resp_reset(&r);

	{
		static const char *const badv[] = {
			"?window=2d", "?window=", "?window=15m&window=1h",
			"?window=%00", "?window=15m'--",
		};

		for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
			char t[128];

			re_snprintf(t, sizeof(t), "/v1/metrics/queues%s",
				    badv[i]);
			REQ(f, "GET", t, NULL, AUTH_OK, &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
			re_snprintf(t, sizeof(t), "/v1/metrics/agents%s",
				    badv[i]);
			REQ(f, "GET", t, NULL, AUTH_OK, &r);
			ASSERT_ERROR(&r, 400, "InvalidParameter");
			resp_reset(&r);
		}
	}
	REQ(f, "GET", "/v1/metrics/queues", NULL, AUTH_NONE, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	REQ(f, "GET", "/v1/metrics/queues", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jcount(&r, "queues"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/metrics/agents?window=15m", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "agents"));
	assert_string_equal("alice", jstr(&r, "agents.0.user_id"));
	assert_string_equal("free", jstr(&r, "agents.0.status"));
	assert_int_equal(3, jint(&r, "agents.0.windows.15m.calls"));
	assert_int_equal(3, jint(&r, "agents.0.windows.15m.inbound"));
	assert_int_equal(8, jint(&r, "agents.0.windows.15m.talk_s"));
	assert_true(jhas(&r, "agents.0.windows.15m.status_s.free"));
	assert_true(jhas(&r, "agents.0.windows.15m.status_s.rest"));
	assert_string_equal("bob", jstr(&r, "agents.1.user_id"));
	assert_int_equal(0, jint(&r, "agents.1.windows.15m.calls"));
	resp_reset(&r);

	/* Prometheus: its own bearer token, none set yet */
	re_snprintf(auth, sizeof(auth), "Bearer %s", token);
	assert_int_equal(0, raw_get(f, "/metrics", auth, &r));
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	assert_int_equal(EINVAL, api_metrics_token_set(f->api, ""));
	assert_int_equal(EINVAL, api_metrics_token_set(f->api, "a b"));
	assert_int_equal(0, api_metrics_token_set(f->api, token));

	assert_int_equal(0, raw_get(f, "/metrics", NULL, &r));
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	assert_int_equal(0, raw_get(f, "/metrics",
		"Bearer 0123456789abcdef0123456789abcdeX", &r));
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	assert_int_equal(0, raw_get(f, "/metrics",
		"Bearer 0123456789abcdef0123456789abcdef0", &r));
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	re_snprintf(line, sizeof(line), "Bearer %s x", token);
	assert_int_equal(0, raw_get(f, "/metrics", line, &r));
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);
	REQ(f, "GET", "/metrics", NULL, AUTH_OK, &r);   /* API signature */
	ASSERT_ERROR(&r, 401, "AuthFailure");
	resp_reset(&r);

	assert_int_equal(0, raw_get(f, "/metrics", auth, &r));
	assert_int_equal(200, r.scode);
	assert_non_null(strstr(r.raw, "Content-Type: text/plain; "
			       "version=0.0.4"));
	assert_non_null(strstr(r.body, "# TYPE lianluo_queue_offered_calls "
			       "gauge\n"));
	assert_non_null(strstr(r.body, "# HELP lianluo_queue_offered_calls "
			       ));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_offered_calls{app="
		    "\"%s\",group=\"sales\",window=\"15m\"} 4\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_answered_calls{app="
		    "\"%s\",group=\"sales\",window=\"15m\"} 3\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_abandoned_calls{app="
		    "\"%s\",group=\"sales\",window=\"15m\"} 1\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_abandoned_short_"
		    "calls{app=\"%s\",group=\"sales\",window=\"15m\"} 1\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_answer_wait_seconds_"
		    "average{app=\"%s\",group=\"sales\",window=\"15m\"} 14\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_service_level_ratio{"
		    "app=\"%s\",group=\"sales\",window=\"15m\"} 0.667\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_waiting_calls{app="
		    "\"%s\",group=\"q\\\"a\\\\b\"} 1\n", f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_queue_agents{app=\"%s\","
		    "group=\"sales\",status=\"free\"} 1\n",
		    f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_agents_registered{app="
		    "\"%s\"} 1\n", f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_calls_in_progress{app="
		    "\"%s\",state=\"queued\"} 1\n", f->app.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	re_snprintf(line, sizeof(line), "\nlianluo_agents_registered{app="
		    "\"%s\"} 0\n", f->app2.sdk_app_id);
	assert_non_null(strstr(r.body, line));
	assert_non_null(strstr(r.body,
			       "\nlianluo_process_resident_memory_bytes "));
	assert_null(strstr(r.body,
			   "\nlianluo_process_resident_memory_bytes 0\n"));
	assert_non_null(strstr(r.body, "\nlianluo_process_uptime_seconds "));
	/* nothing personal: no number, no user id */
	assert_null(strstr(r.body, "13812345678"));
	assert_null(strstr(r.body, "alice"));
	resp_reset(&r);

	/* the scheme is case-insensitive */
	re_snprintf(line, sizeof(line), "bearer %s", token);
	assert_int_equal(0, raw_get(f, "/metrics", line, &r));
	assert_int_equal(200, r.scode);
	resp_reset(&r);

	mem_deref(call);
	assert_healthy(f);
}


/* DELETE /v1/personal-data, GET /v1/audit-log, GET|PUT /v1/settings */
static void test_privacy(void **state)
{
	static const char *const badv[] = {
		"/v1/personal-data",
		"/v1/personal-data?phone=1&user=alice",
		"/v1/personal-data?phone=",
		"/v1/personal-data?phone=12ab",
		"/v1/personal-data?phone=1&phone=2",
		"/v1/personal-data?phone=%zz",
		"/v1/personal-data?user=a%2Fb",
	};
	struct fix *f = *state;
	struct store_staff s;
	struct store_cdr c;
	struct store_group g;
	struct resp r = {0};
	size_t i;

	memset(&c, 0, sizeof(c));
	str_ncpy(c.session_id, "p-1", sizeof(c.session_id));
	str_ncpy(c.sdk_app_id, f->app.sdk_app_id, sizeof(c.sdk_app_id));
	str_ncpy(c.caller, "+8613812345678", sizeof(c.caller));
	str_ncpy(c.callee, "4001", sizeof(c.callee));
	str_ncpy(c.agent, "alice", sizeof(c.agent));
	c.ended_ms = 1700000012000;
	assert_int_equal(0, store_cdr_add(f->st, &c));
	memset(&s, 0, sizeof(s));
	str_ncpy(s.user_id, "alice", sizeof(s.user_id));
	str_ncpy(s.name, "Alice", sizeof(s.name));
	str_ncpy(s.phone, "+8613700001001", sizeof(s.phone));
	assert_int_equal(0, store_staff_add(f->st, f->app.sdk_app_id, &s));

	for (i = 0; i < ARRAY_SIZE(badv); i++) {
		REQ(f, "DELETE", badv[i], NULL, AUTH_OK, &r);
		ASSERT_ERROR(&r, 400, "InvalidParameter");
		resp_reset(&r);
	}

	/* "+" as %2B; the other application's data is out of reach */
	REQ(f, "DELETE", "/v1/personal-data?phone=%2B8613812345678", NULL,
	    AUTH_APP2, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(0, jint(&r, "cdrs_anonymised"));
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/personal-data?phone=%2B8613812345678", NULL,
	    AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jint(&r, "cdrs_anonymised"));
	assert_int_equal(0, jint(&r, "staff_anonymised"));
	assert_int_equal(0, jint(&r, "number_refs_deleted"));
	assert_int_equal(0, jint(&r, "recordings_deleted"));
	assert_true(jint(&r, "audit_id") > 0);
	resp_reset(&r);

	REQ(f, "GET", "/v1/cdrs", NULL, AUTH_OK, &r);
	assert_string_equal("deleted", jstr(&r, "cdrs.0.caller"));
	resp_reset(&r);

	REQ(f, "DELETE", "/v1/personal-data?user=alice", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jint(&r, "cdrs_anonymised"));
	assert_int_equal(1, jint(&r, "staff_anonymised"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/audit-log", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "entries"));
	assert_string_equal("alice", jstr(&r, "entries.0.detail.user"));
	assert_string_equal("+861******5678",
			    jstr(&r, "entries.1.detail.phone"));
	assert_string_equal("personal-data.delete",
			    jstr(&r, "entries.1.action"));
	assert_string_equal(f->app.secret_id, jstr(&r, "entries.1.actor"));
	assert_null(strstr(r.raw, "13812345678"));
	resp_reset(&r);

	REQ(f, "GET", "/v1/audit-log?limit=1", NULL, AUTH_OK, &r);
	assert_int_equal(1, jcount(&r, "entries"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/audit-log?limit=0", NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "GET", "/v1/audit-log", NULL, AUTH_APP2, &r);
	assert_int_equal(1, jcount(&r, "entries"));
	resp_reset(&r);

	/* Settings */
	REQ(f, "GET", "/v1/settings", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(0, jint(&r, "cdr_retention_days"));
	resp_reset(&r);
	REQ(f, "PUT", "/v1/settings", "{\"cdr_retention_days\":30}",
	    AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(30, jint(&r, "cdr_retention_days"));
	resp_reset(&r);
	REQ(f, "PUT", "/v1/settings", "{\"cdr_retention_days\":3651}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "PUT", "/v1/settings", "{\"cdr_retention_days\":\"7\"}",
	    AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	REQ(f, "GET", "/v1/settings", NULL, AUTH_OK, &r);
	assert_int_equal(30, jint(&r, "cdr_retention_days"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/settings", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jint(&r, "cdr_retention_days"));
	resp_reset(&r);
	REQ(f, "GET", "/v1/settings", NULL, AUTH_NONE, &r);
	assert_int_equal(401, r.scode);
	resp_reset(&r);

	/* Skill groups carry mask_numbers */
	REQ(f, "POST", "/v1/skill-groups",
	    "{\"name\":\"vip\",\"mask_numbers\":true}", AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	assert_non_null(strstr(r.raw, "\"mask_numbers\":true"));
	resp_reset(&r);
	REQ(f, "POST", "/v1/skill-groups",
	    "{\"name\":\"v2\",\"mask_numbers\":1}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	resp_reset(&r);
	assert_int_equal(0, store_group_get(f->st, f->app.sdk_app_id, "vip",
					    &g));
	assert_true(g.mask_numbers);
	REQ(f, "GET", "/v1/skill-groups", NULL, AUTH_OK, &r);
	assert_non_null(strstr(r.raw, "\"mask_numbers\":true"));
	resp_reset(&r);
}



/* ------------------------------------------------------------------ */
/* Roles                                                                */

struct cred {
	char id[STORE_SECRET_SZ];
	char key[STORE_SECRET_SZ];
};


/* POST /v1/credentials as the application; returns the new pair */
static void cred_create(struct fix *f, const char *body, struct cred *c)
{
	struct resp r = {0};

	REQ(f, "POST", "/v1/credentials", body, AUTH_OK, &r);
	assert_int_equal(201, r.scode);
	str_ncpy(c->id, jstr(&r, "secret_id"), sizeof(c->id));
	str_ncpy(c->key, jstr(&r, "secret_key"), sizeof(c->key));
	assert_int_equal(0, strncmp(c->id, "AKID", 4));
	assert_int_equal(40, strlen(c->key));
	resp_reset(&r);
}


static void use_cred(struct fix *f, const struct cred *c)
{
	str_ncpy(f->cred_id, c->id, sizeof(f->cred_id));
	str_ncpy(f->cred_key, c->key, sizeof(f->cred_key));
}


static void roles_setup(struct fix *f, struct cred *sup, struct cred *ag)
{
	static const char *const bodyv[] = {
		"{\"name\":\"sales\"}",
		"{\"user_id\":\"alice\",\"extension\":\"1001\","
		"\"password\":\"secret-1001\","
		"\"skill_groups\":[{\"name\":\"sales\",\"level\":1}]}",
		"{\"user_id\":\"bob\",\"extension\":\"1002\","
		"\"password\":\"secret-1002\","
		"\"skill_groups\":[{\"name\":\"sales\",\"level\":1}]}",
	};
	static const char *const pathv[] = {
		"/v1/skill-groups", "/v1/staff", "/v1/staff",
	};
	struct store_cdr c;
	struct resp r = {0};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bodyv); i++) {
		REQ(f, "POST", pathv[i], bodyv[i], AUTH_OK, &r);
		assert_int_equal(201, r.scode);
	}
	resp_reset(&r);

	/* One CDR of alice's, one of bob's */
	memset(&c, 0, sizeof(c));
	str_ncpy(c.sdk_app_id, f->app.sdk_app_id, sizeof(c.sdk_app_id));
	c.direction = STORE_DIR_INBOUND;
	str_ncpy(c.caller, "13812345678", sizeof(c.caller));
	str_ncpy(c.callee, "4001234567", sizeof(c.callee));
	str_ncpy(c.group, "sales", sizeof(c.group));
	str_ncpy(c.end_status, "answered", sizeof(c.end_status));
	str_ncpy(c.hangup_side, "caller", sizeof(c.hangup_side));
	c.offered_ms = 1700000000000;
	c.ended_ms = 1700000010000;
	str_ncpy(c.session_id, "s-alice", sizeof(c.session_id));
	str_ncpy(c.agent, "alice", sizeof(c.agent));
	assert_int_equal(0, store_cdr_add(f->st, &c));
	str_ncpy(c.session_id, "s-bob", sizeof(c.session_id));
	str_ncpy(c.agent, "bob", sizeof(c.agent));
	c.offered_ms += 1000;
	assert_int_equal(0, store_cdr_add(f->st, &c));

	assert_int_equal(0, agent_register(f, "alice"));
	assert_int_equal(0, agent_register(f, "bob"));

	cred_create(f, "{\"role\":\"supervisor\"}", sup);
	cred_create(f, "{\"role\":\"agent\",\"user_id\":\"alice\"}", ag);
}


/* Every route, by every role.  The agent's credentials are alice's.
 * Each row runs as agent, then supervisor, then the application: what
 * a role may not do is refused with 403 and changes nothing (the
 * application's request after it still gets its usual answer); what it
 * may do gets the application's answer.  A new route needs a row here:
 * the count against the routes table is checked below. */
static void test_roles_every_route(void **state)
{
	static const struct {
		const char *method;
		const char *path;
		const char *body;
		uint16_t admin_sc;
		bool sup_ok;
		bool agent_ok;
	} rowv[] = {
		{"GET",    "/healthz", NULL, 200, true, true},
		{"POST",   "/v1/login", "{}", 400, true, true},
		{"GET",    "/metrics", NULL, 401, true, true},
		{"GET",    "/v1/status", NULL, 200, true, false},
		{"POST",   "/v1/staff", "{\"user_id\":\"carol\"}", 201,
		 false, false},
		{"GET",    "/v1/staff", NULL, 200, false, false},
		{"DELETE", "/v1/staff/carol", NULL, 200, false, false},
		{"POST",   "/v1/skill-groups", "{\"name\":\"g2\"}", 201,
		 false, false},
		{"GET",    "/v1/skill-groups", NULL, 200, false, false},
		{"PUT",    "/v1/skill-groups/g2", "{\"wrap_up\":7}", 200,
		 false, false},
		{"DELETE", "/v1/skill-groups/g2", NULL, 200, false, false},
		{"GET",    "/v1/agents", NULL, 200, true, false},
		{"GET",    "/v1/agents/alice", NULL, 200, true, true},
		{"GET",    "/v1/agents/bob", NULL, 200, true, false},
		{"GET",    "/v1/agents/alice/status", NULL, 200, true, true},
		{"PUT",    "/v1/agents/alice/status",
		 "{\"status\":\"notReady\"}", 200, true, true},
		{"PUT",    "/v1/agents/bob/status",
		 "{\"status\":\"notReady\"}", 200, true, false},
		{"GET",    "/v1/agents/alice/status-history", NULL, 200,
		 true, false},
		{"GET",    "/v1/metrics/queues", NULL, 200, true, false},
		{"GET",    "/v1/metrics/agents", NULL, 200, true, false},
		{"POST",   "/v1/numbers",
		 "{\"number\":\"4001\",\"skill_group\":\"sales\"}", 201,
		 false, false},
		{"GET",    "/v1/numbers", NULL, 200, false, false},
		{"DELETE", "/v1/numbers/4001", NULL, 200, false, false},
		{"POST",   "/v1/sdk-login-tokens", "{\"user_id\":\"alice\"}",
		 201, false, false},
		{"GET",    "/v1/cdrs", NULL, 200, true, true},
		{"DELETE", "/v1/personal-data?user=nobody", NULL, 200,
		 false, false},
		{"GET",    "/v1/audit-log", NULL, 200, false, false},
		{"GET",    "/v1/settings", NULL, 200, false, false},
		{"PUT",    "/v1/settings", "{\"cdr_retention_days\":30}", 200,
		 false, false},
		{"POST",   "/v1/credentials", "{\"role\":\"supervisor\"}", 201,
		 false, false},
		{"GET",    "/v1/credentials", NULL, 200, false, false},
		{"DELETE", "/v1/credentials/AKIDnone", NULL, 404,
		 false, false},
		{"PUT",    "/v1/ivr-menus/main",
		 "{\"prompt\":\"welcome\",\"timeout_s\":5,"
		 "\"options\":{\"1\":{\"group\":\"sales\"}}}", 201,
		 false, false},
		{"GET",    "/v1/ivr-menus", NULL, 200, false, false},
		{"GET",    "/v1/ivr-menus/main", NULL, 200, false, false},
		{"DELETE", "/v1/ivr-menus/main", NULL, 200, false, false},
	};
	struct fix *f = *state;
	struct cred sup, ag;
	struct resp r = {0};
	size_t i;

	roles_setup(f, &sup, &ag);

	for (i = 0; i < ARRAY_SIZE(rowv); i++) {
		const struct cred *cv[2] = {&ag, &sup};
		const bool okv[2] = {rowv[i].agent_ok, rowv[i].sup_ok};
		size_t k;

		for (k = 0; k < 2; k++) {
			use_cred(f, cv[k]);
			REQ(f, rowv[i].method, rowv[i].path, rowv[i].body,
			    AUTH_CRED, &r);
			if (r.scode != (okv[k] ? rowv[i].admin_sc : 403))
				print_message("%s %s as %s: %u\n",
					      rowv[i].method, rowv[i].path,
					      k ? "supervisor" : "agent",
					      r.scode);
			if (okv[k]) {
				assert_int_equal(rowv[i].admin_sc, r.scode);
			}
			else {
				ASSERT_ERROR(&r, 403, "Forbidden");
			}
		}

		REQ(f, rowv[i].method, rowv[i].path, rowv[i].body, AUTH_OK,
		    &r);
		if (r.scode != rowv[i].admin_sc)
			print_message("%s %s as admin: %u %s\n",
				      rowv[i].method, rowv[i].path, r.scode,
				      r.body);
		assert_int_equal(rowv[i].admin_sc, r.scode);
	}

	/* Two routes have a row on bob too */
	assert_int_equal(ARRAY_SIZE(rowv) - 2, api_route_count());

	/* The agent's CDRs are its own calls only. */
	use_cred(f, &ag);
	REQ(f, "GET", "/v1/cdrs", NULL, AUTH_CRED, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(1, jcount(&r, "cdrs"));
	assert_string_equal("s-alice", jstr(&r, "cdrs.0.session_id"));
	use_cred(f, &sup);
	REQ(f, "GET", "/v1/cdrs", NULL, AUTH_CRED, &r);
	assert_int_equal(2, jcount(&r, "cdrs"));

	/* An agent's {} must be itself, also spelled otherwise */
	use_cred(f, &ag);
	REQ(f, "GET", "/v1/agents/%61lice", NULL, AUTH_CRED, &r);
	assert_int_equal(200, r.scode);
	REQ(f, "GET", "/v1/agents/Alice", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 403, "Forbidden");
	REQ(f, "GET", "/v1/agents/alice%20", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 403, "Forbidden");
	REQ(f, "GET", "/v1/agents/nobody/status-history", NULL, AUTH_CRED,
	    &r);
	ASSERT_ERROR(&r, 403, "Forbidden");
	REQ(f, "GET", "/v1/agents/bob/status", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 403, "Forbidden");
	REQ(f, "GET", "/v1/agents/alice/status", NULL, AUTH_CRED, &r);
	assert_int_equal(200, r.scode);
	assert_string_equal("notReady", jstr(&r, "status"));

	/* Signing with a role credential's id and another key is 401 */
	str_ncpy(f->cred_key, f->app.secret_key, sizeof(f->cred_key));
	REQ(f, "GET", "/v1/agents/alice", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");

	resp_reset(&r);
	assert_healthy(f);
}


/* Creation, listing, deletion; the audit log; cascade with staff */
static void test_credentials(void **state)
{
	struct fix *f = *state;
	struct cred sup, ag, other;
	struct resp r = {0};
	char path[128];

	roles_setup(f, &sup, &ag);

	/* The supervisor sets bob's status: the history names it */
	use_cred(f, &sup);
	REQ(f, "PUT", "/v1/agents/bob/status", "{\"status\":\"notReady\"}",
	    AUTH_CRED, &r);
	assert_int_equal(200, r.scode);

	REQ(f, "GET", "/v1/credentials", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(2, jcount(&r, "credentials"));
	assert_string_equal(sup.id, jstr(&r, "credentials.0.secret_id"));
	assert_string_equal("supervisor", jstr(&r, "credentials.0.role"));
	assert_false(jhas(&r, "credentials.0.user_id"));
	assert_string_equal("agent", jstr(&r, "credentials.1.role"));
	assert_string_equal("alice", jstr(&r, "credentials.1.user_id"));
	assert_null(strstr(r.body, sup.key));
	assert_null(strstr(r.body, ag.key));
	assert_null(strstr(r.body, "secret_key"));

	/* Another application sees none of them, deletes none */
	REQ(f, "GET", "/v1/credentials", NULL, AUTH_APP2, &r);
	assert_int_equal(0, jcount(&r, "credentials"));
	re_snprintf(path, sizeof(path), "/v1/credentials/%s", sup.id);
	REQ(f, "DELETE", path, NULL, AUTH_APP2, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");

	/* Deleted: 401 from then on */
	REQ(f, "DELETE", path, NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_true(jhas(&r, "deleted"));
	REQ(f, "DELETE", path, NULL, AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");
	use_cred(f, &sup);
	REQ(f, "GET", "/v1/status", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");

	/* The audit log: created twice, deleted once, by the application's
	 * SecretId; never a key */
	REQ(f, "GET", "/v1/audit-log", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_null(strstr(r.body, sup.key));
	assert_null(strstr(r.body, ag.key));
	assert_null(strstr(r.body, f->app.secret_key));
	assert_non_null(strstr(r.body, "credentials.create"));
	assert_non_null(strstr(r.body, "credentials.delete"));
	assert_non_null(strstr(r.body, f->app.secret_id));
	assert_non_null(strstr(r.body, sup.id));

	/* The status change was made by the supervisor's SecretId */
	REQ(f, "GET", "/v1/agents/bob/status-history", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	assert_non_null(strstr(r.body, sup.id));

	/* Deleting alice deletes her credentials */
	use_cred(f, &ag);
	REQ(f, "GET", "/v1/agents/alice", NULL, AUTH_CRED, &r);
	assert_int_equal(200, r.scode);
	REQ(f, "DELETE", "/v1/staff/alice", NULL, AUTH_OK, &r);
	assert_int_equal(200, r.scode);
	REQ(f, "GET", "/v1/agents/alice", NULL, AUTH_CRED, &r);
	ASSERT_ERROR(&r, 401, "AuthFailure");
	REQ(f, "GET", "/v1/credentials", NULL, AUTH_OK, &r);
	assert_int_equal(0, jcount(&r, "credentials"));

	/* Role credentials of app2 act on app2 only */
	REQ(f, "POST", "/v1/credentials", "{\"role\":\"supervisor\"}",
	    AUTH_APP2, &r);
	assert_int_equal(201, r.scode);
	str_ncpy(other.id, jstr(&r, "secret_id"), sizeof(other.id));
	str_ncpy(other.key, jstr(&r, "secret_key"), sizeof(other.key));
	use_cred(f, &other);
	REQ(f, "GET", "/v1/agents", NULL, AUTH_CRED, &r);
	assert_int_equal(200, r.scode);
	assert_int_equal(0, jcount(&r, "agents"));

	resp_reset(&r);
	assert_healthy(f);
}


static void test_credentials_hostile(void **state)
{
	static const char *const badv[] = {
		"",
		"not json",
		"[]",
		"{}",
		"{\"role\":\"admin\"}",
		"{\"role\":\"Supervisor\"}",
		"{\"role\":123}",
		"{\"role\":null}",
		"{\"role\":[\"agent\"]}",
		"{\"role\":\"agent\"}",
		"{\"role\":\"agent\",\"user_id\":\"\"}",
		"{\"role\":\"agent\",\"user_id\":42}",
		"{\"role\":\"agent\",\"user_id\":\"a/b\"}",
		"{\"role\":\"supervisor\",\"user_id\":\"alice\"}",
		"{\"role\":\"supervisor\"",
		"{\"role\":{\"role\":{\"role\":{\"role\":{\"role\":"
		"{\"role\":{\"role\":{\"role\":{}}}}}}}}}",
	};
	static const char *const badpathv[] = {
		"/v1/credentials/x",
		"/v1/credentials/AKID",
		"/v1/credentials/AKID%2e%2e",
		"/v1/credentials/AKID%20x",
		"/v1/credentials/..",
	};
	struct fix *f = *state;
	struct cred sup, ag;
	struct resp r = {0};
	char *longid = NULL;
	size_t i;

	roles_setup(f, &sup, &ag);

	for (i = 0; i < ARRAY_SIZE(badv); i++) {
		REQ(f, "POST", "/v1/credentials", badv[i], AUTH_OK, &r);
		if (r.scode != 400)
			print_message("body %zu: %u\n", i, r.scode);
		ASSERT_ERROR(&r, 400, "InvalidParameter");
	}

	REQ(f, "POST", "/v1/credentials",
	    "{\"role\":\"agent\",\"user_id\":\"nobody\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 404, "ResourceNotFound");

	/* A NUL in a JSON string would cut it short ("supervisor"): 400 */
	REQ(f, "POST", "/v1/credentials",
	    "{\"role\":\"agent\",\"user_id\":\"al\\u0000ice\"}", AUTH_OK,
	    &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	REQ(f, "POST", "/v1/credentials",
	    "{\"role\":\"supervisor\\u0000x\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	/* an escaped backslash before u0000 is text, not a NUL */
	REQ(f, "POST", "/v1/credentials",
	    "{\"role\":\"agent\\\\u0000\"}", AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	assert_null(strstr(jstr(&r, "error.message"), "NUL"));

	assert_int_equal(0, re_sdprintf(&longid,
					"{\"role\":\"agent\",\"user_id\":"
					"\"%0300u\"}", 7));
	REQ(f, "POST", "/v1/credentials", longid, AUTH_OK, &r);
	ASSERT_ERROR(&r, 400, "InvalidParameter");
	longid = mem_deref(longid);

	for (i = 0; i < ARRAY_SIZE(badpathv); i++) {
		REQ(f, "DELETE", badpathv[i], NULL, AUTH_OK, &r);
		if (r.scode != 400)
			print_message("path %zu: %u\n", i, r.scode);
		assert_int_equal(400, r.scode);
	}

	REQ(f, "DELETE", "/v1/credentials/AKID%00x", NULL, AUTH_OK, &r);
	assert_int_equal(400, r.scode);
	REQ(f, "DELETE", "/v1/credentials", NULL, AUTH_OK, &r);
	assert_int_equal(405, r.scode);

	/* A role credential cannot delete itself or make others */
	use_cred(f, &sup);
	REQ(f, "POST", "/v1/credentials", "{\"role\":\"admin\"}", AUTH_CRED,
	    &r);
	ASSERT_ERROR(&r, 403, "Forbidden");

	/* Nothing was created */
	REQ(f, "GET", "/v1/credentials", NULL, AUTH_OK, &r);
	assert_int_equal(2, jcount(&r, "credentials"));

	resp_reset(&r);
	assert_healthy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_vector),
		cmocka_unit_test(test_sign_doc_example),
		cmocka_unit_test(test_sign_decode_verify),
		cmocka_unit_test(test_jsonw),
		cmocka_unit_test_setup_teardown(test_healthz, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_auth_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_auth_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_input_bounds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_skill_groups, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tokens_login, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privacy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_settings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rest_reasons, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agents, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_roles_every_route,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_credentials, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_credentials_hostile,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
