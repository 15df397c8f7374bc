/**
 * @file config.c  lianluod configuration: defaults, file, command line
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Precedence: built-in defaults, then the --config file, then the other
 * command-line options.  Every key is documented in docs/lianluod.conf.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re.h>
#include "common/log.h"
#include "common/tlsc.h"
#include "config.h"


void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));

	str_ncpy(cfg->data_dir, "var/lianluo", sizeof(cfg->data_dir));
	/* Encrypted by default (DESIGN rule 6): HTTPS and SIP over TLS;
	 * plain SIP stays for desk phones and trunks, plain HTTP is off. */
	(void)sa_set_str(&cfg->sip_laddr, "127.0.0.1", 5060);
	(void)sa_set_str(&cfg->sip_tls_laddr, "127.0.0.1", 5061);
	(void)sa_set_str(&cfg->https_laddr, "127.0.0.1", 8443);
	sa_init(&cfg->http_laddr, AF_UNSPEC);
	str_ncpy(cfg->realm, "lianluo", sizeof(cfg->realm));
	cfg->ring_timeout_s    = 20;
	cfg->max_wait_s        = 300;
	cfg->wrapup_s          = 0;
	cfg->media_timeout_s   = 60;
	cfg->reject_delay_s    = 5;
	cfg->no_answer_delay_s = 0;
	cfg->token_ttl_s       = 300;
	cfg->sipcred_ttl_s     = 12 * 3600;
	cfg->reg_max_expires_s = 3600;
	cfg->http_max_body     = 1024 * 1024;
	cfg->auth_fail_addr    = 10;
	cfg->auth_fail_user    = 20;
	cfg->auth_fail_window_s = 60;
	cfg->sip_request_rate  = 50;
	cfg->sip_calls_addr    = 50;
	cfg->sip_calls_agent   = 2;
	cfg->log_level         = LOG_LEVEL_INFO;
}


static int decode_u32(uint32_t *v, const char *s, uint32_t min, uint32_t max)
{
	char *end;
	unsigned long n;

	if (!s || !*s)
		return EINVAL;

	n = strtoul(s, &end, 10);
	if (*end || n < min || n > max)
		return EINVAL;

	*v = (uint32_t)n;
	return 0;
}


static int decode_addr(struct sa *sa, const char *s)
{
	int err = sa_decode(sa, s, strlen(s));
	if (err)
		return err;

	return sa_port(sa) ? 0 : EINVAL;
}


/** Is this optional listener on?  (Port 0: on, any free port.) */
bool config_listening(const struct sa *laddr)
{
	return laddr && sa_af(laddr) != AF_UNSPEC;
}


/* A listener that may be turned off with "off". */
static int decode_listener(struct sa *sa, const char *s)
{
	if (!strcmp(s, "off")) {
		sa_init(sa, AF_UNSPEC);
		return 0;
	}

	return decode_addr(sa, s);
}


static int set_str(char *dst, const char *src, size_t sz)
{
	if (strlen(src) >= sz)
		return EINVAL;

	str_ncpy(dst, src, sz);
	return 0;
}


/* Apply one key; the file and the command line share it. */
static int config_set(struct config *cfg, const char *key, const char *val)
{
	uint32_t u;
	int err;

	if (!strcmp(key, "data"))
		return set_str(cfg->data_dir, val, sizeof(cfg->data_dir));
	if (!strcmp(key, "sip"))
		return decode_addr(&cfg->sip_laddr, val);
	if (!strcmp(key, "sip-tls"))
		return decode_listener(&cfg->sip_tls_laddr, val);
	if (!strcmp(key, "http"))
		return decode_listener(&cfg->http_laddr, val);
	if (!strcmp(key, "https"))
		return decode_listener(&cfg->https_laddr, val);
	if (!strcmp(key, "tls-cert"))
		return set_str(cfg->tls_cert, val, sizeof(cfg->tls_cert));
	if (!strcmp(key, "tls-key"))
		return set_str(cfg->tls_key, val, sizeof(cfg->tls_key));
	if (!strcmp(key, "trunk")) {
		struct uri uri;
		struct pl pl;

		pl_set_str(&pl, val);
		if (uri_decode(&uri, &pl))
			return EINVAL;
		return set_str(cfg->trunk_uri, val, sizeof(cfg->trunk_uri));
	}
	if (!strcmp(key, "trunk-cert-sha256"))
		return tlsc_pin_decode(cfg->trunk_cert_sha256,
				       sizeof(cfg->trunk_cert_sha256), val);
	if (!strcmp(key, "trunk-ca-file"))
		return set_str(cfg->trunk_ca_file, val,
			       sizeof(cfg->trunk_ca_file));
	if (!strcmp(key, "realm"))
		return set_str(cfg->realm, val, sizeof(cfg->realm));
	if (!strcmp(key, "queue-prompt"))
		return set_str(cfg->queue_prompt, val,
				sizeof(cfg->queue_prompt));
	if (!strcmp(key, "hold-music"))
		return set_str(cfg->hold_music, val, sizeof(cfg->hold_music));
	if (!strcmp(key, "prompt-dir"))
		return set_str(cfg->prompt_dir, val, sizeof(cfg->prompt_dir));
	if (!strcmp(key, "announce-period"))
		return decode_u32(&cfg->announce_period_s, val, 0, 3600);
	if (!strcmp(key, "ring-timeout"))
		return decode_u32(&cfg->ring_timeout_s, val, 1, 600);
	if (!strcmp(key, "max-wait"))
		return decode_u32(&cfg->max_wait_s, val, 1, 86400);
	if (!strcmp(key, "wrap-up"))
		return decode_u32(&cfg->wrapup_s, val, 0, 3600);
	if (!strcmp(key, "reject-delay"))
		return decode_u32(&cfg->reject_delay_s, val, 0, 3600);
	if (!strcmp(key, "no-answer-delay"))
		return decode_u32(&cfg->no_answer_delay_s, val, 0, 3600);
	if (!strcmp(key, "media-timeout"))
		return decode_u32(&cfg->media_timeout_s, val, 0, 3600);
	if (!strcmp(key, "token-ttl"))
		return decode_u32(&cfg->token_ttl_s, val, 10, 86400);
	if (!strcmp(key, "sip-credential-ttl"))
		return decode_u32(&cfg->sipcred_ttl_s, val, 60, 30 * 86400);
	if (!strcmp(key, "registration-max-expires"))
		return decode_u32(&cfg->reg_max_expires_s, val, 30, 86400);
	if (!strcmp(key, "http-max-body")) {
		err = decode_u32(&u, val, 1024, 64 * 1024 * 1024);
		if (!err)
			cfg->http_max_body = u;
		return err;
	}
	if (!strcmp(key, "auth-fail-limit-address"))
		return decode_u32(&cfg->auth_fail_addr, val, 0, 100000);
	if (!strcmp(key, "auth-fail-limit-user"))
		return decode_u32(&cfg->auth_fail_user, val, 0, 100000);
	if (!strcmp(key, "auth-fail-window"))
		return decode_u32(&cfg->auth_fail_window_s, val, 1, 86400);
	if (!strcmp(key, "sip-request-rate"))
		return decode_u32(&cfg->sip_request_rate, val, 0, 100000);
	if (!strcmp(key, "sip-max-calls-per-address"))
		return decode_u32(&cfg->sip_calls_addr, val, 0, 100000);
	if (!strcmp(key, "sip-max-outbound-calls-per-agent"))
		return decode_u32(&cfg->sip_calls_agent, val, 0, 1000);
	if (!strcmp(key, "log-level"))
		return log_level_decode(&cfg->log_level, val);

	return ENOENT;
}


/**
 * Read a configuration file of "key value" lines; '#' starts a comment.
 *
 * @param cfg   Configuration to update
 * @param path  File to read
 *
 * @return 0 if success, otherwise errorcode (the bad line is logged)
 */
int config_load_file(struct config *cfg, const char *path)
{
	char line[512];
	unsigned lineno = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (!f) {
		log_error("config: cannot open %s: %m", path, errno);
		return errno;
	}

	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *end;

		++lineno;
		end = strchr(line, '#');
		if (end)
			*end = '\0';

		key = line + strspn(line, " \t\r\n");
		if (!*key)
			continue;

		val = key + strcspn(key, " \t\r\n");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t");
		end = val + strlen(val);
		while (end > val && strchr(" \t\r\n", end[-1]))
			*--end = '\0';

		err = config_set(cfg, key, val);
		if (err) {
			log_error("config: %s:%u: %s '%s'", path, lineno,
				  err == ENOENT ? "unknown key" : "bad value",
				  key);
			break;
		}
	}

	fclose(f);
	return err;
}


/**
 * Apply the command line: --KEY VALUE for every file key, --config FILE
 * (read first, whatever its position) and --help.
 *
 * @return 0 if success, EAGAIN when help was printed, otherwise errorcode
 */
int config_parse_args(struct config *cfg, int argc, char *argv[])
{
	int i, err;

	for (i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			err = config_load_file(cfg, argv[i + 1]);
			if (err)
				return err;
		}
	}

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: lianluod --data DIR [--sip ADDR:PORT]"
			       " [--sip-tls ADDR:PORT|off]\n"
			       "       [--https ADDR:PORT|off]"
			       " [--http ADDR:PORT|off]\n"
			       "       [--tls-cert FILE --tls-key FILE]"
			       " [--trunk SIP-URI] [--config FILE]\n"
			       "       [--ring-timeout S] [--max-wait S]"
			       " [--wrap-up S] [--log-level L]\n"
			       "Every configuration key can be given as"
			       " --KEY VALUE; see docs/lianluod.conf.\n");
			return EAGAIN;
		}

		if (strncmp(a, "--", 2) || i + 1 >= argc) {
			log_error("lianluod: bad argument '%s' (try --help)",
				  a);
			return EINVAL;
		}

		++i;
		if (!strcmp(a, "--config"))
			continue;

		err = config_set(cfg, a + 2, argv[i]);
		if (err) {
			log_error("lianluod: %s '%s'",
				  err == ENOENT ? "unknown option" :
				  "bad value for", a);
			return err;
		}
	}

	return 0;
}


static bool is_dir(const char *path)
{
	struct stat st;

	return 0 == stat(path, &st) && S_ISDIR(st.st_mode);
}


/* dir/sub into buf if that is a directory */
static bool prompt_dir_try(char *buf, size_t sz, const char *dir,
			   const char *sub)
{
	if (re_snprintf(buf, sz, "%s%s%s", dir, sub[0] ? "/" : "", sub) < 0)
		return false;

	return is_dir(buf);
}


/**
 * Where the prompts of a subdirectory (e.g. "en", the announcements) are:
 * the first directory with it among prompt-dir (or, unset, DATA/prompts:
 * the operator's own recordings), share/lianluo/prompts beside the
 * binary's bin/ (an install, moved or not), the install prefix's, and
 * the source tree's (a build tree, where the tests start lianluod).  So
 * the shipped recordings are used unless the operator provides others.
 *
 * @param cfg  Configuration
 * @param sub  Subdirectory, "" for the directory itself
 * @param buf  Returned directory, with sub
 * @param sz   Size of buf
 *
 * @return 0 if success, ENOENT when none has it
 */
int config_prompt_dir(const struct config *cfg, const char *sub, char *buf,
		      size_t sz)
{
	char dir[300];
	ssize_t n;

	if (!cfg || !sub || !buf || !sz)
		return EINVAL;

	if (cfg->prompt_dir[0]) {
		if (prompt_dir_try(buf, sz, cfg->prompt_dir, sub))
			return 0;
	}
	else if (re_snprintf(dir, sizeof(dir), "%s/prompts",
			     cfg->data_dir) > 0 &&
		 prompt_dir_try(buf, sz, dir, sub)) {
		return 0;
	}

	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		char *slash;

		dir[n] = '\0';
		slash = strrchr(dir, '/');
		if (slash) {
			str_ncpy(slash, "/../share/lianluo/prompts",
				 sizeof(dir) - (size_t)(slash - dir));
			if (prompt_dir_try(buf, sz, dir, sub))
				return 0;
		}
	}

#ifdef LL_PROMPT_DIR_INSTALL
	if (prompt_dir_try(buf, sz, LL_PROMPT_DIR_INSTALL, sub))
		return 0;
#endif
#ifdef LL_PROMPT_DIR_SOURCE
	if (prompt_dir_try(buf, sz, LL_PROMPT_DIR_SOURCE, sub))
		return 0;
#endif

	return ENOENT;
}
