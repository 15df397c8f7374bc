/**
 * @file main.c  lianluod: start-up, event loop, ordered shutdown
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Start-up order: configuration, store, ACD, SIP front end, HTTP API; the
 * first SIGTERM/SIGINT ends every call and stops after a short drain, a
 * second one stops at once.  Shutdown runs in the reverse order.
 */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "common/tlsc.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "sip/sipfront.h"
#include "api/api.h"


enum {
	DRAIN_MS = 1000,    /* lets BYEs and their answers cross the wire */
	FD_MAX   = 65536,
	METRICS_TOKEN_BYTES = 24,
	CREDS_MAX = 16384,
};

static struct config cfg;
static struct sipfront *sipfront;
static char http_url[64];           /* the plain listener's, or "" */
static struct tmr drain_tmr;


static void drain_handler(void *arg)
{
	(void)arg;
	re_cancel();
}


static void signal_handler(int sig)
{
	static bool stopping;

	if (stopping) {
		log_warn("lianluod: signal %d again, stopping now", sig);
		re_cancel();
		return;
	}

	stopping = true;
	log_info("lianluod: signal %d, ending calls and stopping", sig);
	sipfront_close(sipfront);
	tmr_start(&drain_tmr, DRAIN_MS, drain_handler, NULL);
}


static void app_first_handler(const struct store_app *app, void *arg)
{
	struct store_app *first = arg;

	if (!first->sdk_app_id[0])
		*first = *app;
}


/*
 * The operator's keys, readable by the owner alone (0600).  Written anew at
 * every start so that the addresses follow the configuration.
 */
static int credentials_write(const struct store_app *app,
			     const char *sip_uri, const char *sip_tls_uri,
			     const char *metrics_token, const char *https_url,
			     const char *cert_sha256)
{
	char path[300], tmp[310];
	FILE *f;
	int fd, err = 0;

	re_snprintf(path, sizeof(path), "%s/credentials.json", cfg.data_dir);
	re_snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return errno;

	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		return err;
	}

	err = re_fprintf(f, "{\n"
			 "  \"sdk_app_id\": %H,\n"
			 "  \"secret_id\": %H,\n"
			 "  \"secret_key\": %H,\n"
			 "  \"sip_uri\": %H,\n"
			 "  \"metrics_token\": %H",
			 jsonw_str, app->sdk_app_id,
			 jsonw_str, app->secret_id,
			 jsonw_str, app->secret_key,
			 jsonw_str, sip_uri,
			 jsonw_str, metrics_token) < 0 ? EIO : 0;
	if (!err && http_url[0])
		err = re_fprintf(f, ",\n  \"http_url\": %H",
				 jsonw_str, http_url) < 0 ? EIO : 0;
	if (!err && sip_tls_uri)
		err = re_fprintf(f, ",\n  \"sip_tls_uri\": %H",
				 jsonw_str, sip_tls_uri) < 0 ? EIO : 0;
	if (!err && https_url && cert_sha256)
		err = re_fprintf(f, ",\n"
				 "  \"https_url\": %H,\n"
				 "  \"cert_sha256\": %H",
				 jsonw_str, https_url,
				 jsonw_str, cert_sha256) < 0 ? EIO : 0;
	if (!err)
		err = re_fprintf(f, "\n}\n") < 0 ? EIO : 0;

	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;

	return err;
}


static bool token_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	}

	return n == 2 * METRICS_TOKEN_BYTES;
}


/*
 * The bearer token of GET /metrics: kept from the credentials.json of an
 * earlier start, else made now (so deleting the file and restarting
 * gives a new one).  It reads nothing but live figures, so it is a
 * separate, weaker key than the API's SecretKey.
 */
static void metrics_token_get(char *tok, size_t sz)
{
	char path[300], buf[CREDS_MAX];
	uint8_t rnd[METRICS_TOKEN_BYTES];
	struct odict *od = NULL;
	const char *old;
	size_t n = 0;
	FILE *f;

	re_snprintf(path, sizeof(path), "%s/credentials.json", cfg.data_dir);

	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';

	if (n && !json_decode_odict(&od, 16, buf, n, 4)) {
		old = odict_string(od, "metrics_token");
		if (old && token_valid(old) && strlen(old) < sz) {
			str_ncpy(tok, old, sz);
			goto out;
		}
	}

	rand_bytes(rnd, sizeof(rnd));
	(void)re_snprintf(tok, sz, "%w", rnd, sizeof(rnd));
	log_info("lianluod: new metrics token in credentials.json");

 out:
	mem_deref(od);
	memset(buf, 0, sizeof(buf));
	memset(rnd, 0, sizeof(rnd));
}


/*
 * The certificate of HTTPS and SIP over TLS (made in DATA/tls/ on the
 * first start unless tls-cert and tls-key are given; made for the HTTPS
 * host, else the SIP one): from here on cfg names its files, and sha256
 * is what clients pin.
 */
static int tls_prepare(char *sha256, size_t sha_sz)
{
	const struct sa *host_sa = config_listening(&cfg.https_laddr) ?
		&cfg.https_laddr : &cfg.sip_tls_laddr;
	char host[64], cert[sizeof(cfg.tls_cert)], key[sizeof(cfg.tls_key)];
	int err;

	if (sa_is_any(host_sa))
		str_ncpy(host, sa_af(host_sa) == AF_INET6 ?
			 "::1" : "127.0.0.1", sizeof(host));
	else if (sa_ntop(host_sa, host, sizeof(host)))
		return EINVAL;

	err = api_cert_prepare(cert, key, sizeof(cert), cfg.tls_cert,
			       cfg.tls_key, cfg.data_dir, host);
	if (err)
		return err;

	err = tlsc_file_sha256(sha256, sha_sz, cert);
	if (err) {
		log_error("lianluod: cannot read the certificate %s: %m",
			  cert, err);
		return err;
	}

	str_ncpy(cfg.tls_cert, cert, sizeof(cfg.tls_cert));
	str_ncpy(cfg.tls_key, key, sizeof(cfg.tls_key));
	log_info("lianluod: TLS certificate %s, SHA-256 %s", cert, sha256);

	return 0;
}


/* The HTTPS listener, and the URL clients use. */
static int https_start(struct api *api, char *url, size_t url_sz)
{
	struct sa laddr;
	int err;

	err = api_https_listen(api, &cfg.https_laddr, cfg.tls_cert,
			       cfg.tls_key);
	if (err)
		return err;

	err = api_https_laddr(api, &laddr);
	if (err)
		return err;

	(void)re_snprintf(url, url_sz, "https://%J", &laddr);

	return 0;
}


static int data_dir_prepare(void)
{
	if (mkdir(cfg.data_dir, 0700) && errno != EEXIST) {
		log_error("lianluod: cannot create %s: %m", cfg.data_dir,
			  errno);
		return errno;
	}

	return 0;
}


int main(int argc, char *argv[])
{
	struct store *st = NULL;
	struct acd *acd = NULL;
	struct api *api = NULL;
	struct store_app app;
	char dbpath[300];
	char metrics_token[2 * METRICS_TOKEN_BYTES + 1];
	char https_url[128] = "", cert_sha256[TLSC_SHA256_HEX_SZ] = "";
	const char *tls_uri;
	int err;

	log_set_tag("lianluod");
	config_defaults(&cfg);

	err = config_parse_args(&cfg, argc, argv);
	if (err == EAGAIN)
		return 0;
	if (err)
		return 2;

	log_set_level(cfg.log_level);

	err = libre_init();
	if (err) {
		log_error("lianluod: libre_init: %m", err);
		return 1;
	}

	(void)fd_setsize(FD_MAX);
	tmr_init(&drain_tmr);

	err = data_dir_prepare();
	if (err)
		goto out;

	re_snprintf(dbpath, sizeof(dbpath), "%s/lianluo.db", cfg.data_dir);
	err = store_open(&st, dbpath);
	if (err) {
		log_error("lianluod: cannot open store %s: %m", dbpath, err);
		goto out;
	}

	memset(&app, 0, sizeof(app));
	err = store_app_list(st, app_first_handler, &app);
	if (!err && !app.sdk_app_id[0]) {
		err = store_app_create(st, &app);
		if (!err)
			log_info("lianluod: created application %s",
				 app.sdk_app_id);
	}
	if (err) {
		log_error("lianluod: application: %m", err);
		goto out;
	}

	err = acd_alloc(&acd, st, &cfg);
	if (err) {
		log_error("lianluod: acd: %m", err);
		goto out;
	}

	if (config_listening(&cfg.https_laddr) ||
	    config_listening(&cfg.sip_tls_laddr)) {
		err = tls_prepare(cert_sha256, sizeof(cert_sha256));
		if (err)
			goto out;
	}

	err = sipfront_alloc(&sipfront, &cfg, st, acd);
	if (err)
		goto out;

	/* Agents logging in are sent to SIP over TLS when there is one. */
	tls_uri = sipfront_tls_uri(sipfront);
	err = api_alloc(&api, &cfg, st,
			tls_uri ? tls_uri : sipfront_uri(sipfront), acd);
	if (err) {
		log_error("lianluod: api: %m", err);
		goto out;
	}

	if (config_listening(&cfg.http_laddr)) {
		struct sa laddr;

		if (0 == api_laddr(api, &laddr))
			(void)re_snprintf(http_url, sizeof(http_url),
					  "http://%J", &laddr);
	}

	if (config_listening(&cfg.https_laddr)) {
		err = https_start(api, https_url, sizeof(https_url));
		if (err) {
			log_error("lianluod: https api on %J: %m",
				  &cfg.https_laddr, err);
			goto out;
		}
	}

	metrics_token_get(metrics_token, sizeof(metrics_token));
	err = api_metrics_token_set(api, metrics_token);
	if (!err)
		err = credentials_write(&app, sipfront_uri(sipfront), tls_uri,
					metrics_token,
					https_url[0] ? https_url : NULL,
					cert_sha256[0] ? cert_sha256 : NULL);
	memset(metrics_token, 0, sizeof(metrics_token));
	if (err) {
		log_error("lianluod: cannot write credentials.json: %m", err);
		goto out;
	}

	log_info("lianluod %s ready: sip %s%s%s%s%s%s%s, data %s",
		 LL_VERSION_STR, sipfront_uri(sipfront),
		 tls_uri ? ", " : "", tls_uri ? tls_uri : "",
		 https_url[0] ? ", " : "", https_url,
		 http_url[0] ? ", plain " : "", http_url, cfg.data_dir);

	err = re_main(signal_handler);

 out:
	tmr_cancel(&drain_tmr);
	api = mem_deref(api);
	sipfront = mem_deref(sipfront);
	acd = mem_deref(acd);
	st = mem_deref(st);

	libre_close();

	log_info("lianluod: stopped");

	return err ? 1 : 0;
}
