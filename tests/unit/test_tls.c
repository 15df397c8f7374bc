/**
 * @file test_tls.c  Tests of HTTPS: the server's certificate, the HTTPS
 *                   listener and the client's verification
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Certificates are made in a temporary directory and read back with
 * OpenSSL.  The API runs in-process on the real libre loop with its
 * HTTPS listener on 127.0.0.1 port 0; each request is made by
 * common/httpc (the client of lianluoctl and the SDK) on a thread of its
 * own while the main thread runs re_main() with a deadline.
 */
#define _GNU_SOURCE 1            /* nftw() */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <pthread.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <re.h>
#include <cmocka.h>
#include "common/log.h"
#include "common/httpc.h"
#include "common/tlsc.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"


enum {
	DEADLINE_MS = 8000,
};

struct fix {
	char dir[64];
	char cert[128];
	char key[128];
	char pin[TLSC_SHA256_HEX_SZ];
	struct config cfg;
	struct store *st;
	struct api *api;
	struct sa http;
	struct sa https;
	struct mqueue *mq;
	struct tmr tmr;
};

/* One client request, made on a thread. */
struct job {
	struct httpc_server srv;
	const char *path;
	struct httpc_resp resp;
	int err;
	const char *raw;            /* instead: send these bytes, plain */
	struct sa to;
	struct mqueue *mq;
};


static int rm_handler(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}


static void rm_rf(const char *dir)
{
	(void)nftw(dir, rm_handler, 8, FTW_DEPTH | FTW_PHYS);
}


static mode_t file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;

	return st.st_mode & 0777;
}


static X509 *cert_read(const char *path)
{
	X509 *x;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);

	return x;
}


/* The SHA-256 of the DER encoding, computed here without tlsc. */
static void der_sha256(char *hex, size_t sz, X509 *x)
{
	uint8_t *der = NULL, md[32];
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	assert_int_equal(1, EVP_Digest(der, (size_t)n, md, NULL,
				       EVP_sha256(), NULL));
	OPENSSL_free(der);
	assert_true(re_snprintf(hex, sz, "%w", md, sizeof(md)) > 0);
}


/* ------------------------------------------------------------------ */
/* Certificates                                                        */

static void test_cert_make(void **state)
{
	char dir[] = "/tmp/ll-tls-XXXXXX", cert[128], key[128];
	char hex[TLSC_SHA256_HEX_SZ], want[TLSC_SHA256_HEX_SZ];
	GENERAL_NAMES *san;
	const GENERAL_NAME *gn;
	EVP_PKEY *pk;
	X509 *x;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	re_snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	re_snprintf(key, sizeof(key), "%s/key.pem", dir);

	assert_int_equal(0, api_cert_make(cert, key, "127.0.0.1"));
	assert_int_equal(0600, file_mode(key));
	assert_int_equal(0600, file_mode(cert) & 0600);   /* public */

	/* EC P-256, self-signed, an IP SAN with the listen host. */
	x = cert_read(cert);
	assert_non_null(x);
	pk = X509_get0_pubkey(x);
	assert_non_null(pk);
	assert_int_equal(EVP_PKEY_EC, EVP_PKEY_get_base_id(pk));
	assert_int_equal(256, EVP_PKEY_get_bits(pk));
	assert_int_equal(1, X509_verify(x, pk));
	assert_int_equal(0, X509_NAME_cmp(X509_get_subject_name(x),
					  X509_get_issuer_name(x)));
	assert_int_equal(1, X509_check_ip_asc(x, "127.0.0.1", 0));
	assert_int_not_equal(1, X509_check_ip_asc(x, "127.0.0.2", 0));
	san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(san);
	assert_int_equal(1, sk_GENERAL_NAME_num(san));
	gn = sk_GENERAL_NAME_value(san, 0);
	assert_int_equal(GEN_IPADD, gn->type);
	GENERAL_NAMES_free(san);

	/* The fingerprint is the SHA-256 of the DER certificate. */
	der_sha256(want, sizeof(want), x);
	assert_int_equal(0, tlsc_file_sha256(hex, sizeof(hex), cert));
	assert_string_equal(want, hex);
	assert_int_equal(0, tlsc_cert_sha256(hex, sizeof(hex), x));
	assert_string_equal(want, hex);
	X509_free(x);

	/* The key is the certificate's. */
	f = fopen(key, "r");
	assert_non_null(f);
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(pk);
	x = cert_read(cert);
	assert_int_equal(1, X509_check_private_key(x, pk));
	X509_free(x);
	EVP_PKEY_free(pk);

	/* A name gets a DNS SAN and is checked as a host name. */
	assert_int_equal(0, api_cert_make(cert, key, "cc.example.org"));
	x = cert_read(cert);
	assert_int_equal(1, X509_check_host(x, "cc.example.org", 0, 0,
					    NULL));
	assert_int_not_equal(1, X509_check_host(x, "example.org", 0, 0,
						NULL));
	X509_free(x);
	assert_int_equal(0600, file_mode(key));

	/* Hostile input */
	assert_int_equal(EINVAL, api_cert_make(cert, key, ""));
	assert_int_equal(EINVAL, api_cert_make(cert, key, NULL));
	f = fopen(cert, "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n", f);
	fclose(f);
	assert_int_equal(EBADMSG, tlsc_file_sha256(hex, sizeof(hex), cert));
	assert_int_equal(ENOENT, tlsc_file_sha256(hex, sizeof(hex),
						  "/nonexistent/c.pem"));
	assert_int_not_equal(0, api_cert_make("/nonexistent/c.pem",
					      "/nonexistent/k.pem",
					      "127.0.0.1"));

	rm_rf(dir);
}


static void test_cert_prepare(void **state)
{
	char dir[] = "/tmp/ll-tls-XXXXXX", sub[128];
	char cert[256], key[256], fp1[TLSC_SHA256_HEX_SZ];
	char fp2[TLSC_SHA256_HEX_SZ];
	(void)state;

	assert_non_null(mkdtemp(dir));

	/* Nothing configured, nothing there: made in DATA/tls/. */
	assert_int_equal(0, api_cert_prepare(cert, key, sizeof(cert), "", "",
					     dir, "127.0.0.1"));
	re_snprintf(sub, sizeof(sub), "%s/tls", dir);
	assert_int_equal(0700, file_mode(sub));
	re_snprintf(sub, sizeof(sub), "%s/tls/cert.pem", dir);
	assert_string_equal(sub, cert);
	re_snprintf(sub, sizeof(sub), "%s/tls/key.pem", dir);
	assert_string_equal(sub, key);
	assert_int_equal(0600, file_mode(key));
	assert_int_equal(0, tlsc_file_sha256(fp1, sizeof(fp1), cert));

	/* The next start keeps it: clients' pins stay valid. */
	assert_int_equal(0, api_cert_prepare(cert, key, sizeof(cert), "", "",
					     dir, "127.0.0.1"));
	assert_int_equal(0, tlsc_file_sha256(fp2, sizeof(fp2), cert));
	assert_string_equal(fp1, fp2);

	/* A lost key: both made anew. */
	assert_int_equal(0, unlink(key));
	assert_int_equal(0, api_cert_prepare(cert, key, sizeof(cert), "", "",
					     dir, "127.0.0.1"));
	assert_int_equal(0, tlsc_file_sha256(fp2, sizeof(fp2), cert));
	assert_string_not_equal(fp1, fp2);

	/* Configured files are used as they are, never made. */
	assert_int_equal(0, api_cert_prepare(cert, key, sizeof(cert),
					     "/etc/x/c.pem", "/etc/x/k.pem",
					     dir, "127.0.0.1"));
	assert_string_equal("/etc/x/c.pem", cert);
	assert_string_equal("/etc/x/k.pem", key);
	assert_int_equal(EINVAL, api_cert_prepare(cert, key, sizeof(cert),
						  "/etc/x/c.pem", "", dir,
						  "127.0.0.1"));

	rm_rf(dir);
}


static void test_pin_decode(void **state)
{
	char hex[TLSC_SHA256_HEX_SZ], in[200];
	const char *d = "0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef";
	size_t i;
	(void)state;

	assert_int_equal(0, tlsc_pin_decode(hex, sizeof(hex), d));
	assert_string_equal(d, hex);

	/* As openssl x509 -fingerprint -sha256 prints it. */
	in[0] = '\0';
	for (i = 0; i < 32; i++)
		re_snprintf(in + strlen(in), sizeof(in) - strlen(in),
			    "%s%02X", i ? ":" : "",
			    (unsigned)(i < 16 ? i * 16 + i : 0xab));
	assert_int_equal(0, tlsc_pin_decode(hex, sizeof(hex), in));
	assert_int_equal(64, strlen(hex));
	assert_int_equal(0, strncmp(hex, "00112233", 8));

	/* Hostile input */
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), ""));
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), d + 1));
	re_snprintf(in, sizeof(in), "%s0", d);
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), in));
	re_snprintf(in, sizeof(in), "%s:", d);
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), in));
	re_snprintf(in, sizeof(in), ":%s", d);
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), in));
	re_snprintf(in, sizeof(in), "%.63sg", d);
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex), in));
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, 64, d));
	assert_int_equal(EINVAL, tlsc_pin_decode(hex, sizeof(hex),
						 "/etc/ssl/ca.pem"));
}


/* ------------------------------------------------------------------ */
/* The HTTPS listener and the client                                   */

static void *client_thread(void *arg)
{
	struct job *job = arg;

	if (job->raw) {
		/* Plain bytes to the HTTPS port: read until it closes. */
		struct sockaddr_in sin;
		char buf[512];
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		ssize_t n;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(sa_port(&job->to));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		job->err = EIO;
		if (fd >= 0 && !connect(fd, (void *)&sin, sizeof(sin)) &&
		    send(fd, job->raw, strlen(job->raw), MSG_NOSIGNAL) > 0) {
			job->err = 0;
			while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
				job->resp.len += (size_t)n;
		}
		if (fd >= 0)
			close(fd);
	}
	else {
		job->err = httpc_request(&job->resp, &job->srv, "GET",
					 job->path, NULL);
	}

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
	(void)arg;
	re_cancel();
}


static int run_job(struct fix *f, struct job *job)
{
	pthread_t tid;
	int err;

	job->mq = f->mq;
	err = pthread_create(&tid, NULL, client_thread, job);
	if (err)
		return err;

	tmr_start(&f->tmr, DEADLINE_MS, deadline_handler, f);
	(void)re_main(NULL);
	tmr_cancel(&f->tmr);
	pthread_join(tid, NULL);

	return 0;
}


/* GET path from url with the given pin and CA file. */
static int get(struct fix *f, const char *url, const char *pin,
	       const char *ca, struct job *job)
{
	memset(job, 0, sizeof(*job));
	assert_int_equal(0, httpc_url_decode(&job->srv, url));
	str_ncpy(job->srv.cert_sha256, pin ? pin : "",
		 sizeof(job->srv.cert_sha256));
	str_ncpy(job->srv.ca_file, ca ? ca : "", sizeof(job->srv.ca_file));
	job->srv.timeout_s = 5;
	job->path = "/healthz";

	assert_int_equal(0, run_job(f, job));
	return job->err;
}


static void job_reset(struct job *job)
{
	httpc_resp_reset(&job->resp);
}


static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -1;

	str_ncpy(f->dir, "/tmp/ll-tls-XXXXXX", sizeof(f->dir));
	if (!mkdtemp(f->dir))
		return -1;

	(void)sa_set_str(&f->cfg.http_laddr, "127.0.0.1", 0);
	(void)sa_set_str(&f->cfg.https_laddr, "127.0.0.1", 0);
	str_ncpy(f->cfg.realm, "lianluo.test", sizeof(f->cfg.realm));
	f->cfg.http_max_body = 4096;
	f->cfg.token_ttl_s   = 300;
	f->cfg.sipcred_ttl_s = 3600;

	err = api_cert_prepare(f->cert, f->key, sizeof(f->cert), "", "",
			       f->dir, "127.0.0.1");
	if (!err)
		err = tlsc_file_sha256(f->pin, sizeof(f->pin), f->cert);
	if (!err)
		err = store_open(&f->st, ":memory:");
	if (!err)
		err = mqueue_alloc(&f->mq, mq_handler, f);
	if (!err)
		err = api_alloc(&f->api, &f->cfg, f->st, "sip:127.0.0.1:5060",
				NULL);
	if (!err)
		err = api_https_listen(f->api, &f->cfg.https_laddr, f->cert,
				       f->key);
	if (!err)
		err = api_laddr(f->api, &f->http);
	if (!err)
		err = api_https_laddr(f->api, &f->https);
	if (err) {
		fprintf(stderr, "setup failed: %s\n", strerror(err));
		return -1;
	}

	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fix *f = *state;

	tmr_cancel(&f->tmr);
	mem_deref(f->api);
	mem_deref(f->mq);
	mem_deref(f->st);
	rm_rf(f->dir);
	free(f);
	return 0;
}


static void test_https_verify(void **state)
{
	struct fix *f = *state;
	char url[64], plain[64], host_url[64], wrong[TLSC_SHA256_HEX_SZ];
	char other_cert[160], other_key[160];
	struct job job;
	size_t i;

	re_snprintf(url, sizeof(url), "https://%J", &f->https);
	re_snprintf(plain, sizeof(plain), "https://%J", &f->http);
	re_snprintf(host_url, sizeof(host_url), "https://localhost:%u",
		    sa_port(&f->https));
	assert_int_not_equal(sa_port(&f->http), sa_port(&f->https));

	/* The right pin */
	assert_int_equal(0, get(f, url, f->pin, NULL, &job));
	assert_int_equal(200, job.resp.scode);
	assert_non_null(strstr(job.resp.body, "\"ok\""));
	job_reset(&job);

	/* ... also in upper case with colons */
	{
		char colons[100] = "";

		for (i = 0; i < 64; i += 2)
			re_snprintf(colons + strlen(colons),
				    sizeof(colons) - strlen(colons),
				    "%s%c%c", i ? ":" : "",
				    toupper(f->pin[i]),
				    toupper(f->pin[i + 1]));
		assert_int_equal(0, get(f, url, colons, NULL, &job));
		assert_int_equal(200, job.resp.scode);
		job_reset(&job);
	}

	/* A wrong pin: refused, the reason names both fingerprints. */
	str_ncpy(wrong, f->pin, sizeof(wrong));
	wrong[10] = wrong[10] == '0' ? '1' : '0';
	assert_int_equal(TLSC_ECERT, get(f, url, wrong, NULL, &job));
	assert_int_equal(0, job.resp.scode);
	assert_null(job.resp.body);
	assert_non_null(strstr(job.resp.detail, "does not match"));
	assert_non_null(strstr(job.resp.detail, f->pin));
	assert_non_null(strstr(job.resp.detail, wrong));
	job_reset(&job);

	/* A pin that is not a fingerprint */
	assert_int_equal(EINVAL, get(f, url, "zz", NULL, &job));
	assert_non_null(strstr(job.resp.detail, "64 hex"));
	job_reset(&job);

	/* A CA file: the certificate itself, IP 127.0.0.1 checked. */
	assert_int_equal(0, get(f, url, NULL, f->cert, &job));
	assert_int_equal(200, job.resp.scode);
	job_reset(&job);

	/* ... the same certificate under another name: refused. */
	assert_int_equal(TLSC_ECERT, get(f, host_url, NULL, f->cert, &job));
	assert_non_null(strstr(job.resp.detail, "not trusted"));
	job_reset(&job);

	/* A pin does not care for the name (SNI is sent for it). */
	assert_int_equal(0, get(f, host_url, f->pin, NULL, &job));
	assert_int_equal(200, job.resp.scode);
	job_reset(&job);

	/* ... a CA file that did not sign it: refused. */
	re_snprintf(other_cert, sizeof(other_cert), "%s/other.pem", f->dir);
	re_snprintf(other_key, sizeof(other_key), "%s/other.key", f->dir);
	assert_int_equal(0, api_cert_make(other_cert, other_key,
					  "127.0.0.1"));
	assert_int_equal(TLSC_ECERT, get(f, url, NULL, other_cert, &job));
	job_reset(&job);

	/* ... an unreadable CA file: an error, not the system store. */
	assert_int_equal(EINVAL, get(f, url, NULL, "/nonexistent/ca.pem",
				     &job));
	assert_non_null(strstr(job.resp.detail, "CA file"));
	job_reset(&job);

	/* The system store does not know a self-signed certificate. */
	assert_int_equal(TLSC_ECERT, get(f, url, NULL, NULL, &job));
	job_reset(&job);

	/* https:// to the plain port: a failed handshake, nothing more. */
	assert_int_equal(EPROTO, get(f, plain, f->pin, NULL, &job));
	job_reset(&job);

	/* Plain HTTP to the HTTPS port: closed without an HTTP answer, and
	 * the listener keeps serving. */
	memset(&job, 0, sizeof(job));
	job.raw = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	job.to = f->https;
	assert_int_equal(0, run_job(f, &job));
	assert_int_equal(0, job.err);
	memset(&job, 0, sizeof(job));
	job.raw = "\x16\x03\x01\xff\xff garbage that is not a ClientHello";
	job.to = f->https;
	assert_int_equal(0, run_job(f, &job));

	assert_int_equal(0, get(f, url, f->pin, NULL, &job));
	assert_int_equal(200, job.resp.scode);
	job_reset(&job);

	/* And the plain listener is as it was. */
	re_snprintf(plain, sizeof(plain), "http://%J", &f->http);
	assert_int_equal(0, get(f, plain, NULL, NULL, &job));
	assert_int_equal(200, job.resp.scode);
	job_reset(&job);
}


static void test_https_url(void **state)
{
	struct httpc_server srv;
	(void)state;

	memset(&srv, 0, sizeof(srv));
	assert_int_equal(0, httpc_url_decode(&srv, "https://cc.example.org"));
	assert_true(srv.tls);
	assert_string_equal("cc.example.org", srv.host);
	assert_string_equal("443", srv.port);
	assert_int_equal(0, httpc_url_decode(&srv,
					     "HTTPS://[::1]:8443/api/"));
	assert_true(srv.tls);
	assert_string_equal("::1", srv.host);
	assert_string_equal("8443", srv.port);
	assert_string_equal("/api", srv.prefix);
	assert_int_equal(0, httpc_url_decode(&srv, "http://127.0.0.1"));
	assert_false(srv.tls);
	assert_string_equal("80", srv.port);
	assert_int_equal(EINVAL, httpc_url_decode(&srv, "ftp://x"));
	assert_int_equal(EINVAL, httpc_url_decode(&srv, "https://"));
	assert_int_equal(EINVAL, httpc_url_decode(&srv, "https://[::1"));
}


static void test_config_keys(void **state)
{
	struct config cfg;
	char *ok[] = {"lianluod", "--https", "127.0.0.1:8443",
		      "--tls-cert", "/etc/c.pem", "--tls-key", "/etc/k.pem"};
	char *noport[] = {"lianluod", "--https", "127.0.0.1"};
	char *off[] = {"lianluod", "--https", "off", "--sip-tls", "off"};
	char *http[] = {"lianluod", "--http", "127.0.0.1:8080"};
	char *port0[] = {"lianluod", "--https", "127.0.0.1:0"};
	char *word[] = {"lianluod", "--https", "localhost:8443"};
	char *junk[] = {"lianluod", "--https", "1.2.3.4:8443\r\nx"};
	char longpath[300], *lng[] = {"lianluod", "--tls-key", longpath};
	(void)state;

	/* Encrypted by default: HTTPS and SIP over TLS on, plain HTTP off;
	 * "off" turns a listener off. */
	config_defaults(&cfg);
	assert_true(config_listening(&cfg.https_laddr));
	assert_int_equal(8443, sa_port(&cfg.https_laddr));
	assert_true(config_listening(&cfg.sip_tls_laddr));
	assert_int_equal(5061, sa_port(&cfg.sip_tls_laddr));
	assert_false(config_listening(&cfg.http_laddr));
	assert_string_equal("", cfg.tls_cert);
	assert_int_equal(0, config_parse_args(&cfg, 5, off));
	assert_false(config_listening(&cfg.https_laddr));
	assert_false(config_listening(&cfg.sip_tls_laddr));
	assert_int_equal(0, config_parse_args(&cfg, 3, http));
	assert_true(config_listening(&cfg.http_laddr));
	assert_int_equal(8080, sa_port(&cfg.http_laddr));

	assert_int_equal(0, config_parse_args(&cfg, 7, ok));
	assert_int_equal(8443, sa_port(&cfg.https_laddr));
	assert_string_equal("/etc/c.pem", cfg.tls_cert);
	assert_string_equal("/etc/k.pem", cfg.tls_key);

	/* Hostile input */
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, noport));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, port0));
	assert_int_not_equal(0, config_parse_args(&cfg, 3, word));
	assert_int_not_equal(0, config_parse_args(&cfg, 3, junk));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, lng));
	assert_string_equal("/etc/k.pem", cfg.tls_key);
}


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


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_make),
		cmocka_unit_test(test_cert_prepare),
		cmocka_unit_test(test_pin_decode),
		cmocka_unit_test(test_https_url),
		cmocka_unit_test(test_config_keys),
		cmocka_unit_test_setup_teardown(test_https_verify, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
