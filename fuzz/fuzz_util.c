/**
 * @file fuzz/fuzz_util.c  What the libFuzzer harnesses share
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "fuzz.h"


static char tmp_path[256];
static struct api *fuzz_api;


static void tmp_remove(void)
{
	if (tmp_path[0])
		(void)unlink(tmp_path);
}


/* libre once per process; logs off, a log line per input is slow. */
void fuzz_init(void)
{
	static bool done;

	if (done)
		return;

	done = true;
	if (libre_init())
		abort();

	log_set_level(LOG_LEVEL_NONE);
}


/**
 * The server's state on an in-memory store: one application and one
 * staff member, u1, with extension FUZZ_EXT and SIP password
 * FUZZ_PASSWORD (an agent's SIP user).
 *
 * @return 0 if success, otherwise errorcode
 */
int fuzz_server_init(struct fuzz_server *fs)
{
	uint8_t ha1[MD5_SIZE];
	struct store_staff s;
	int err;

	fuzz_init();

	memset(fs, 0, sizeof(*fs));
	config_defaults(&fs->cfg);
	(void)sa_set_str(&fs->cfg.sip_laddr, "127.0.0.1", 0);
	(void)sa_set_str(&fs->cfg.http_laddr, "127.0.0.1", 0);
	/* No TLS listeners: they need the certificate files a server makes
	 * at start-up; the parsers behind them are the same. */
	sa_init(&fs->cfg.sip_tls_laddr, AF_UNSPEC);
	sa_init(&fs->cfg.https_laddr, AF_UNSPEC);

	/* Every input comes from one address: with the abuse limits on,
	 * the fuzzer would soon reach only the refusals. */
	fs->cfg.sip_request_rate = 0;
	fs->cfg.auth_fail_addr = 0;
	fs->cfg.auth_fail_user = 0;

	err = store_open(&fs->st, ":memory:");
	if (err)
		return err;

	err = store_app_create(fs->st, &fs->app);
	if (err)
		return err;

	memset(&s, 0, sizeof(s));
	str_ncpy(s.user_id, "u1", sizeof(s.user_id));
	str_ncpy(s.name, "Agent One", sizeof(s.name));
	str_ncpy(s.extension, FUZZ_EXT, sizeof(s.extension));
	err = md5_printf(ha1, "%s:%s:%s", FUZZ_EXT, fs->cfg.realm,
			 FUZZ_PASSWORD);
	if (err)
		return err;
	(void)re_snprintf(s.ha1, sizeof(s.ha1), "%w", ha1, sizeof(ha1));
	err = store_staff_add(fs->st, fs->app.sdk_app_id, &s);
	if (err)
		return err;

	return acd_alloc(&fs->acd, fs->st, &fs->cfg);
}


static void api_free(void)
{
	fuzz_api = mem_deref(fuzz_api);
}


/* The server and its HTTP API on a free port, freed at exit. */
int fuzz_api_init(struct fuzz_server *fs, struct api **apip)
{
	int err = fuzz_server_init(fs);

	if (!err)
		err = api_alloc(&fuzz_api, &fs->cfg, fs->st,
				"sip:127.0.0.1:5060", fs->acd);
	if (err)
		return err;

	atexit(api_free);
	*apip = fuzz_api;

	return 0;
}


/**
 * Write an input to this process's temporary file, for the parsers that
 * read a path.
 *
 * @return the file's path, NULL if it cannot be written
 */
const char *fuzz_file_write(const uint8_t *data, size_t size)
{
	const char *dir = getenv("TMPDIR");
	ssize_t n;
	int fd;

	if (!tmp_path[0]) {
		(void)re_snprintf(tmp_path, sizeof(tmp_path),
				  "%s/ll-fuzz-%d", dir ? dir : "/tmp",
				  (int)getpid());
		atexit(tmp_remove);
	}

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return NULL;

	n = size ? write(fd, data, size) : 0;
	(void)close(fd);

	return n == (ssize_t)size ? tmp_path : NULL;
}
