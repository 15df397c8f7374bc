/**
 * @file test_sdk.c  Tests of liblianluo's public API: the consent gate,
 *                   argument checking, and login against a real lianluod
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The tests run in order in one process, as the consent and the shared
 * instance are process-wide: first everything before consent, then the
 * argument checks, then a lianluod started from the build tree on
 * loopback ports with a temporary data directory (provisioned through its
 * signed HTTP API, as an app's backend would), then destroy, threads and
 * withdrawal.  The SDK is used through liblianluo.so and its header only;
 * common/httpc is linked in to play the app's backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <signal.h>
#include <dirent.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <re.h>
#include "common/httpc.h"
#include "lianluo/lianluo.h"


enum {
	WAIT_MS = 10000,
};

/* What callbacks report, guarded by ev_lock. */
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static struct {
	int logins;
	int login_err;
	char login_user[64];
	char login_aor[256];
	char login_diag[256];
	int destroy_ret;
	int sessions;
	enum ll_direction dir;
	int ended;
	enum ll_end_reason reason;
	int end_code;
	int results;
	int result_err;
	int statuses;
	struct ll_agent_status_info st;
	int in_cb_ret;
} seen;

/* The lianluod under test. */
static struct {
	pid_t pid;
	char dir[256];
	char http_url[128];
	char https_url[128];
	char cert_sha256[65];
	char sip_host[64];
	char sip_tls_host[64];
	struct httpc_server srv;
	char app[64];
} server;


static void seen_reset(void)
{
	pthread_mutex_lock(&ev_lock);
	memset(&seen, 0, sizeof(seen));
	pthread_mutex_unlock(&ev_lock);
}


/* Wait until *counter reaches n, or WAIT_MS. */
static bool wait_for(const int *counter, int n)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;

	pthread_mutex_lock(&ev_lock);
	while (*counter < n) {
		if (pthread_cond_timedwait(&ev_cond, &ev_lock, &ts))
			break;
	}
	ok = *counter >= n;
	pthread_mutex_unlock(&ev_lock);

	return ok;
}


static void login_handler(int err, const struct ll_login_info *info,
			  void *arg)
{
	(void)arg;

	pthread_mutex_lock(&ev_lock);
	seen.login_err = err;
	str_ncpy(seen.login_user, info->user_id ? info->user_id : "",
		 sizeof(seen.login_user));
	str_ncpy(seen.login_aor, info->aor ? info->aor : "",
		 sizeof(seen.login_aor));
	str_ncpy(seen.login_diag, info->diagnostic ? info->diagnostic : "",
		 sizeof(seen.login_diag));
	++seen.logins;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


/* Tries to destroy the instance from inside its own callback. */
static void login_destroy_handler(int err, const struct ll_login_info *info,
				  void *arg)
{
	int ret = ll_destroy_shared_instance();
	(void)err;
	(void)info;
	(void)arg;

	pthread_mutex_lock(&ev_lock);
	seen.destroy_ret = ret;
	++seen.logins;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


static void result_handler(int err, const char *msg, void *arg)
{
	(void)msg;
	(void)arg;

	pthread_mutex_lock(&ev_lock);
	seen.result_err = err;
	++seen.results;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


static void new_session_handler(const struct ll_session_info *info,
				void *arg)
{
	(void)arg;

	pthread_mutex_lock(&ev_lock);
	seen.dir = info->direction;
	++seen.sessions;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


static void ended_handler(const char *sid, enum ll_end_reason reason,
			  int code, const char *msg, void *arg)
{
	(void)sid;
	(void)msg;
	(void)arg;

	pthread_mutex_lock(&ev_lock);
	seen.reason = reason;
	seen.end_code = code;
	++seen.ended;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


static void status_handler(const struct ll_agent_status_info *info,
			   void *arg)
{
	struct ll_sdk *sdk = ll_shared_instance();
	int ret;
	(void)arg;

	/* Waiting for the server here would wait for this very thread. */
	ret = ll_set_agent_status(sdk, LL_AGENT_FREE, NULL, false);

	pthread_mutex_lock(&ev_lock);
	seen.st = *info;
	seen.in_cb_ret = ret;
	++seen.statuses;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}


static const struct ll_listener listener = {
	.on_new_session = new_session_handler,
	.on_ended = ended_handler,
	.on_agent_status_changed = status_handler,
};


static int statuses(void)
{
	int n;

	pthread_mutex_lock(&ev_lock);
	n = seen.statuses;
	pthread_mutex_unlock(&ev_lock);

	return n;
}


static int thread_count(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);

	return n;
}


/* ---- Before consent ------------------------------------------------ */

static void test_before_consent(void **state)
{
	struct ll_sdk *fake = (struct ll_sdk *)(uintptr_t)0x1;
	struct ll_listener l;
	uint32_t v;
	(void)state;

	memset(&l, 0, sizeof(l));

	assert_null(ll_shared_instance());
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_destroy_shared_instance());
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_set_listener(fake, &l));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_login_agent(fake, "http://127.0.0.1:1", "1", "u",
					"t", NULL, NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_login_sip(fake, "sip:1@127.0.0.1", "p", NULL,
				      NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_logout(fake, NULL,
							     NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_check_login(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_call(fake, "123", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_answer(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_terminate(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_send_dtmf(fake, '1'));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_mute(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_unmute(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_start_play_music(fake, "/dev/null", 1));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_stop_play_music(fake));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_audio_driver(fake, "null", NULL, NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_capture_volume(fake, 100));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_playout_volume(fake, 100));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_get_capture_volume(fake, &v));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_get_playout_volume(fake, &v));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_audio_route(fake, LL_AUDIO_ROUTE_EARPIECE));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_enable_audio_volume_evaluation(fake, 200));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_log_level(fake, LL_LOG_DEBUG));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_console_enabled(fake, false));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_log_dir(fake, "/tmp/ll-never"));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_listener(NULL, NULL));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_agent_status(fake, LL_AGENT_FREE, NULL, false));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_extend_arrange(fake, 60));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_get_agent_status(fake, NULL));

	/* These work without consent and touch nothing. */
	assert_string_equal(LL_VERSION_STR, ll_version());
	assert_int_equal(LL_VERSION_NUM, ll_version_num());
	assert_non_null(ll_strerror(LL_ERR_CONSENT_REQUIRED));
	assert_string_equal("remoteBye",
			    ll_end_reason_str(LL_END_REMOTE_BYE));
	assert_string_equal("notReady",
			    ll_agent_status_str(LL_AGENT_NOT_READY));
	assert_string_equal("unknown",
			    ll_agent_status_str((enum ll_agent_status)42));
	assert_int_equal(0, ll_privacy_withdraw());
	assert_int_equal(0, ll_privacy_consent(0));
	assert_null(ll_shared_instance());

	/* No thread was started, no file written. */
	assert_int_equal(1, thread_count());
	assert_int_equal(-1, access("/tmp/ll-never", F_OK));
}


/* ---- Arguments ------------------------------------------------------ */

static void test_arguments(void **state)
{
	struct ll_sdk *sdk;
	char longstr[600];
	uint32_t v;
	(void)state;

	assert_int_equal(0, ll_privacy_consent(1));
	sdk = ll_shared_instance();
	assert_non_null(sdk);
	assert_ptr_equal(sdk, ll_shared_instance());
	assert_int_equal(0, ll_set_console_enabled(sdk, false));
	assert_int_equal(0, ll_set_listener(sdk, &listener));

	memset(longstr, '1', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';

	/* NULL, empty, over-long */
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_call(NULL, "123", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_call(sdk, NULL, NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_call(sdk, "", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_call(sdk, longstr, NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_call(sdk, "123", "bad\r\nX-Evil: 1", NULL, NULL,
				 NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_login_agent(sdk, NULL, "1", "u", "t", NULL,
					NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_login_agent(sdk, "http://127.0.0.1:1", "", "u",
					"t", NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_login_agent(sdk, "http://127.0.0.1:1", "1",
					"bad user", "t", NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_login_agent(sdk, "http://127.0.0.1:1", "1", "u",
					NULL, NULL, NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_login_agent(sdk, "ftp://x", "1", "u", "t", NULL,
					NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_login_sip(sdk, "sip:1@127.0.0.1", NULL, NULL,
				      NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_login_sip(sdk, "http://127.0.0.1", "pw", NULL,
				      NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_login_sip(sdk, "sip:127.0.0.1", "pw", NULL,
				      NULL));

	/* Bad URIs and numbers */
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "abc", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "139-0013", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "+", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "++8613800000000", NULL, NULL, NULL,
				 NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "123456789012345678901234567890123",
				 NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_BAD_URI,
			 ll_call(sdk, "sip:", NULL, NULL, NULL, NULL));

	/* Valid, but not logged in */
	assert_int_equal(LL_ERR_NOT_LOGGED_IN,
			 ll_call(sdk, "+8613900139000", NULL, NULL, NULL,
				 NULL));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN,
			 ll_call(sdk, "sip:4001@127.0.0.1", NULL, NULL, NULL,
				 NULL));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_logout(sdk, NULL, NULL));

	/* DTMF */
	assert_int_equal(LL_ERR_BAD_DTMF, ll_send_dtmf(sdk, 'x'));
	assert_int_equal(LL_ERR_BAD_DTMF, ll_send_dtmf(sdk, '\0'));
	assert_int_equal(LL_ERR_BAD_DTMF, ll_send_dtmf(sdk, 'E'));
	assert_int_equal(LL_ERR_NO_CALL, ll_send_dtmf(sdk, '5'));
	assert_int_equal(LL_ERR_NO_CALL, ll_send_dtmf(sdk, '#'));
	assert_int_equal(LL_ERR_NO_CALL, ll_send_dtmf(sdk, 'D'));

	/* No call */
	assert_int_equal(LL_ERR_NO_CALL, ll_answer(sdk));
	assert_int_equal(LL_ERR_NO_CALL, ll_terminate(sdk));
	assert_int_equal(LL_ERR_NO_CALL, ll_mute(sdk));
	assert_int_equal(LL_ERR_NO_CALL, ll_unmute(sdk));
	assert_int_equal(LL_ERR_NO_CALL, ll_stop_play_music(sdk));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_start_play_music(sdk, NULL, 1));
	assert_int_equal(LL_ERR_FILE,
			 ll_start_play_music(sdk, "/nonexistent.wav", 1));

	/* Audio settings */
	assert_int_equal(LL_ERR_NOT_SUPPORTED,
			 ll_set_audio_driver(sdk, "pulse", NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_audio_driver(sdk, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_audio_driver(sdk, "file", longstr, NULL));
	assert_int_equal(0, ll_set_audio_driver(sdk, "null", NULL, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_capture_volume(sdk, 151));
	assert_int_equal(0, ll_set_capture_volume(sdk, 150));
	assert_int_equal(0, ll_get_capture_volume(sdk, &v));
	assert_int_equal(150, v);
	assert_int_equal(0, ll_set_playout_volume(sdk, 0));
	assert_int_equal(0, ll_get_playout_volume(sdk, &v));
	assert_int_equal(0, v);
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_get_playout_volume(sdk, NULL));
	assert_int_equal(LL_ERR_NOT_SUPPORTED,
			 ll_set_audio_route(sdk, LL_AUDIO_ROUTE_EARPIECE));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_enable_audio_volume_evaluation(sdk, 99));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_enable_audio_volume_evaluation(sdk, 5001));
	assert_int_equal(0, ll_enable_audio_volume_evaluation(sdk, 100));
	assert_int_equal(0, ll_enable_audio_volume_evaluation(sdk, 0));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_log_level(sdk, (enum ll_log_level)42));

	/* Agent status: arguments first, then the login */
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(NULL, LL_AGENT_FREE, NULL, false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_BUSY, NULL, false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_OFFLINE, NULL,
					     false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_ARRANGE, NULL,
					     false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, (enum ll_agent_status)42,
					     NULL, false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_REST, NULL, false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_REST, "", false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_REST, longstr,
					     false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_agent_status(sdk, LL_AGENT_REST,
					     "lunch\r\nX-Evil: 1", false));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT, ll_extend_arrange(sdk, 0));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_extend_arrange(sdk, 3601));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_get_agent_status(sdk, NULL));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN,
			 ll_set_agent_status(sdk, LL_AGENT_REST, "lunch",
					     false));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN,
			 ll_set_agent_status(sdk, LL_AGENT_FREE, NULL, true));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_extend_arrange(sdk, 60));
	{
		struct ll_agent_status_info info;

		assert_int_equal(LL_ERR_NOT_LOGGED_IN,
				 ll_get_agent_status(sdk, &info));
	}

	/* Error texts, SIP codes included */
	assert_string_equal("the server does not allow this status or reason",
			    ll_strerror(LL_ERR_STATUS_NOT_ALLOWED));
	assert_string_equal("the server's certificate failed verification",
			    ll_strerror(LL_ERR_CERTIFICATE));
	assert_int_equal(-25, LL_ERR_CERTIFICATE);
	assert_string_equal("SIP 403 Forbidden", ll_strerror(403));
	assert_string_equal("SIP request failure", ll_strerror(499));
	assert_string_equal("unknown error", ll_strerror(-1000));
}


/* A login to a port where nothing listens: LL_ERR_NETWORK, later. */
static void test_login_refused(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char url[64];
	int fd;
	(void)state;

	/* A port that was free a moment ago. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	assert_int_equal(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u",
		 ntohs(sin.sin_port));

	/* Plain HTTP would carry the token in clear: refused at once. */
	assert_int_equal(LL_ERR_INSECURE,
			 ll_login_agent(sdk, url, "1400000001", "alice",
					"token", login_handler, NULL));

	snprintf(url, sizeof(url), "https://127.0.0.1:%u",
		 ntohs(sin.sin_port));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, url, "1400000001", "alice",
					   "token", login_handler, NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_NETWORK, seen.login_err);
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
}


/* ---- Against lianluod ---------------------------------------------- */

static uint16_t free_port(int type)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type, 0);
	uint16_t port = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		port = ntohs(sin.sin_port);
	close(fd);

	return port;
}


static int api(const char *method, const char *path, const char *body,
	       struct odict **odp)
{
	struct httpc_resp resp;
	int err, scode;

	err = httpc_request(&resp, &server.srv, method, path, body);
	if (err)
		return -err;

	scode = resp.scode;
	if (odp && resp.len)
		(void)json_decode_odict(odp, 16, resp.body, resp.len, 4);
	httpc_resp_reset(&resp);

	return scode;
}


static int server_start(void **state)
{
	char sip[64], http[64], https[64], path[300], buf[4096];
	struct odict *od = NULL;
	const char *lianluod = getenv("LL_LIANLUOD");
	int i, scode = 0;
	FILE *f;
	(void)state;

	if (!lianluod)
		lianluod = LL_LIANLUOD;

	snprintf(server.dir, sizeof(server.dir), "/tmp/ll-test-sdk-XXXXXX");
	if (!mkdtemp(server.dir))
		return -1;

	snprintf(sip, sizeof(sip), "127.0.0.1:%u", free_port(SOCK_DGRAM));
	snprintf(http, sizeof(http), "127.0.0.1:%u", free_port(SOCK_STREAM));
	snprintf(server.sip_host, sizeof(server.sip_host), "%s", sip);
	snprintf(server.sip_tls_host, sizeof(server.sip_tls_host),
		 "127.0.0.1:%u", free_port(SOCK_STREAM));
	snprintf(server.http_url, sizeof(server.http_url), "http://%s",
		 http);
	snprintf(https, sizeof(https), "127.0.0.1:%u",
		 free_port(SOCK_STREAM));
	snprintf(server.https_url, sizeof(server.https_url), "https://%s",
		 https);

	server.pid = fork();
	if (server.pid == 0) {
		execl(lianluod, lianluod, "--data", server.dir, "--sip", sip,
		      "--sip-tls", server.sip_tls_host, "--http", http,
		      "--https", https, (char *)NULL);
		_exit(127);
	}

	/* Ready when it answers /healthz and its credentials are there. */
	snprintf(path, sizeof(path), "%s/credentials.json", server.dir);
	memset(&server.srv, 0, sizeof(server.srv));
	if (httpc_url_decode(&server.srv, server.http_url))
		return -1;

	for (i = 0; i < 200 && scode != 200; i++) {
		usleep(50000);
		scode = api("GET", "/healthz", NULL, NULL);
	}
	if (scode != 200)
		return -1;

	f = fopen(path, "r");
	if (!f)
		return -1;
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);

	if (json_decode_odict(&od, 16, buf, strlen(buf), 4))
		return -1;
	str_ncpy(server.srv.secret_id, odict_string(od, "secret_id"),
		 sizeof(server.srv.secret_id));
	str_ncpy(server.srv.secret_key, odict_string(od, "secret_key"),
		 sizeof(server.srv.secret_key));
	str_ncpy(server.app, odict_string(od, "sdk_app_id"),
		 sizeof(server.app));
	if (!odict_string(od, "cert_sha256"))
		return -1;
	str_ncpy(server.cert_sha256, odict_string(od, "cert_sha256"),
		 sizeof(server.cert_sha256));
	mem_deref(od);

	if (api("POST", "/v1/staff", "{\"user_id\":\"alice\"}", NULL) != 201)
		return -1;
	if (api("POST", "/v1/staff", "{\"user_id\":\"bob\","
		"\"extension\":\"1002\",\"password\":\"s3cret\"}",
		NULL) != 201)
		return -1;

	return 0;
}


static int server_stop(void **state)
{
	char cmd[300];
	(void)state;

	if (server.pid > 0) {
		kill(server.pid, SIGTERM);
		waitpid(server.pid, NULL, 0);
		server.pid = 0;
	}

	if (server.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", server.dir);
		if (system(cmd))
			return -1;
	}

	return 0;
}


static int token_create(char *token, size_t sz, const char *user)
{
	struct odict *od = NULL;
	char body[128];
	const char *t;
	int scode;

	snprintf(body, sizeof(body), "{\"user_id\":\"%s\"}", user);
	scode = api("POST", "/v1/sdk-login-tokens", body, &od);
	t = od ? odict_string(od, "token") : NULL;
	if (scode != 201 || !t) {
		mem_deref(od);
		return EPROTO;
	}

	str_ncpy(token, t, sz);
	mem_deref(od);

	return 0;
}


/* A listening TCP socket that never accepts: connections to it hang. */
static int tcp_hole(uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}

	*port = ntohs(sin.sin_port);
	return fd;
}


/* A SHA-256 that no certificate of the test has */
#define WRONG_PIN \
	"0000000000000000000000000000000000000000000000000000000000000001"


/* ll_login_agent over https://: only a verified server gets the token. */
static void test_login_https(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	char token[512], wrong[65], longname[300], ca[300];
	(void)state;

	assert_int_equal(0, token_create(token, sizeof(token), "alice"));

	/* A wrong pin: LL_ERR_CERTIFICATE, with the reason. */
	str_ncpy(wrong, server.cert_sha256, sizeof(wrong));
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	assert_int_equal(0, ll_set_server_certificate(sdk, wrong));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_CERTIFICATE, seen.login_err);
	assert_non_null(strstr(seen.login_diag, "does not match"));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));

	/* A CA file that cannot be read: refused too, not the system
	 * store. */
	assert_int_equal(0, ll_set_server_certificate(sdk,
						      "/nonexistent/ca.pem"));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_CERTIFICATE, seen.login_err);

	/* No setting: the system store does not know the self-signed
	 * certificate. */
	assert_int_equal(0, ll_set_server_certificate(sdk, NULL));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_CERTIFICATE, seen.login_err);

	/* Hostile settings */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_server_certificate(sdk, longname));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_server_certificate(sdk, "ca.pem\nx"));

	/* The server's own certificate as CA file: the token, unspent by
	 * the refusals above, logs in. */
	snprintf(ca, sizeof(ca), "%s/tls/cert.pem", server.dir);
	assert_int_equal(0, ll_set_server_certificate(sdk, ca));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(0, seen.login_err);
	assert_int_equal(0, ll_check_login(sdk));

	seen_reset();
	assert_int_equal(0, ll_logout(sdk, result_handler, NULL));
	assert_true(wait_for(&seen.results, 1));

	/* And with the pin, a new token. */
	assert_int_equal(0, token_create(token, sizeof(token), "alice"));
	assert_int_equal(0, ll_set_server_certificate(sdk,
						      server.cert_sha256));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(0, seen.login_err);

	seen_reset();
	assert_int_equal(0, ll_logout(sdk, result_handler, NULL));
	assert_true(wait_for(&seen.results, 1));
	assert_int_equal(0, ll_set_server_certificate(sdk, ""));
}


static void test_login_agent(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	struct ll_agent_status_info st;
	char token[512], uri[128];
	uint16_t hole_port = 0;
	int n, hole;
	(void)state;

	assert_int_equal(0, token_create(token, sizeof(token), "alice"));
	assert_int_equal(0, ll_set_server_certificate(sdk,
						      server.cert_sha256));

	/* http:// only when the app allows it (then SIP is still TLS:
	 * the server's login answer names its TLS listener). */
	assert_int_equal(LL_ERR_INSECURE,
			 ll_login_agent(sdk, server.http_url, server.app,
					"alice", token, login_handler, NULL));
	assert_int_equal(0, ll_allow_insecure(sdk, 1));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.http_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_int_equal(LL_ERR_ALREADY_LOGGED_IN,
			 ll_login_agent(sdk, server.https_url, server.app,
					"alice", token, login_handler, NULL));
	assert_int_equal(0, ll_allow_insecure(sdk, 0));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(0, seen.login_err);
	assert_string_equal("alice", seen.login_user);
	assert_non_null(strstr(seen.login_aor, "sip:alice@"));
	assert_int_equal(1, seen.logins);
	assert_int_equal(0, ll_check_login(sdk));

	/* Agent status: the server tells it after login; a request waits
	 * for the server's answer, and the status it reports is known when
	 * the call returns. */
	assert_true(wait_for(&seen.statuses, 1));
	assert_int_equal(LL_ERR_IN_CALLBACK, seen.in_cb_ret);
	assert_int_equal(0, ll_get_agent_status(sdk, &st));
	assert_int_equal(LL_AGENT_FREE, st.status);
	assert_true(st.since_ms > 0);
	assert_int_equal(LL_AGENT_OFFLINE, st.pending);
	assert_int_equal(LL_ERR_STATUS_NOT_ALLOWED,
			 ll_set_agent_status(sdk, LL_AGENT_REST, "nap",
					     false));
	n = statuses();
	assert_int_equal(0, ll_set_agent_status(sdk, LL_AGENT_REST, "lunch",
						false));
	assert_int_equal(0, ll_get_agent_status(sdk, &st));
	assert_int_equal(LL_AGENT_REST, st.status);
	assert_string_equal("lunch", st.reason);
	assert_string_equal("agent", st.actor);
	assert_true(wait_for(&seen.statuses, n + 1));
	assert_int_equal(LL_AGENT_REST, seen.st.status);
	assert_int_equal(0, ll_extend_arrange(sdk, 30));
	assert_int_equal(0, ll_get_agent_status(sdk, &st));
	assert_int_equal(LL_AGENT_ARRANGE, st.status);
	assert_true(st.arrange_until_ms >= st.since_ms + 29000);
	assert_int_equal(0, ll_set_agent_status(sdk, LL_AGENT_FREE, NULL,
						false));
	assert_int_equal(0, ll_get_agent_status(sdk, &st));
	assert_int_equal(LL_AGENT_FREE, st.status);

	/* An outbound call: the server has no trunk and says 503. */
	assert_int_equal(0, ll_call(sdk, "13900139000", "a remark", "uui-1",
				    result_handler, NULL));
	assert_true(wait_for(&seen.ended, 1));
	assert_int_equal(1, seen.sessions);
	assert_int_equal(LL_DIRECTION_OUTBOUND, seen.dir);
	assert_int_equal(LL_END_REJECTED, seen.reason);
	assert_int_equal(503, seen.end_code);
	assert_true(wait_for(&seen.results, 1));
	assert_int_equal(503, seen.result_err);
	assert_int_equal(LL_ERR_NO_CALL, ll_terminate(sdk));

	/* A call that rings (a peer that takes the connection and never
	 * answers the TLS handshake): a second one is refused, it cannot
	 * be answered, and hanging up cancels it. */
	hole = tcp_hole(&hole_port);
	assert_true(hole >= 0);
	snprintf(uri, sizeof(uri), "sip:13900139000@127.0.0.1:%u",
		 hole_port);
	seen_reset();
	assert_int_equal(0, ll_call(sdk, uri, NULL, NULL, result_handler,
				    NULL));
	assert_int_equal(LL_ERR_BUSY,
			 ll_call(sdk, "13900139001", NULL, NULL, NULL, NULL));
	assert_int_equal(LL_ERR_WRONG_STATE, ll_answer(sdk));
	assert_int_equal(LL_ERR_WRONG_STATE, ll_send_dtmf(sdk, '1'));
	assert_int_equal(0, ll_mute(sdk));
	assert_int_equal(0, ll_unmute(sdk));
	assert_int_equal(0, ll_terminate(sdk));
	assert_true(wait_for(&seen.ended, 1));
	assert_int_equal(LL_END_LOCAL_CANCEL, seen.reason);
	assert_true(wait_for(&seen.results, 1));
	close(hole);
	assert_int_equal(487, seen.result_err);
	assert_int_equal(LL_ERR_NO_CALL, ll_terminate(sdk));

	/* Logout */
	seen_reset();
	assert_int_equal(0, ll_logout(sdk, result_handler, NULL));
	assert_true(wait_for(&seen.results, 1));
	assert_int_equal(0, seen.result_err);
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_logout(sdk, NULL, NULL));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_get_agent_status(sdk, &st));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN,
			 ll_set_agent_status(sdk, LL_AGENT_FREE, NULL, false));

	/* The same token again: it was burnt by the first login. */
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_TOKEN_USED, seen.login_err);
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));

	/* A token for another user. */
	assert_int_equal(0, token_create(token, sizeof(token), "bob"));
	seen_reset();
	assert_int_equal(0, ll_login_agent(sdk, server.https_url, server.app,
					   "alice", token, login_handler,
					   NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_AUTH_FAILED, seen.login_err);
	assert_int_equal(0, ll_set_server_certificate(sdk, ""));
}


static void test_login_sip(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	char uri[128];
	(void)state;

	/* Plain SIP: refused unless allowed. */
	snprintf(uri, sizeof(uri), "sip:1002@%s", server.sip_host);
	assert_int_equal(LL_ERR_INSECURE,
			 ll_login_sip(sdk, uri, "s3cret", login_handler, NULL));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));

	/* SIP over TLS with a wrong pin: refused before the password is
	 * sent. */
	snprintf(uri, sizeof(uri), "sip:1002@%s;transport=tls",
		 server.sip_tls_host);
	assert_int_equal(0, ll_set_server_certificate(sdk, WRONG_PIN));
	seen_reset();
	assert_int_equal(0, ll_login_sip(sdk, uri, "s3cret", login_handler,
					 NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_CERTIFICATE, seen.login_err);
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
	assert_int_equal(0, ll_set_server_certificate(sdk,
						      server.cert_sha256));

	/* A wrong password: the registrar's 403 is passed through. */
	seen_reset();
	assert_int_equal(0, ll_login_sip(sdk, uri, "wrong", login_handler,
					 NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(403, seen.login_err);
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));

	seen_reset();
	assert_int_equal(0, ll_login_sip(sdk, uri, "s3cret", login_handler,
					 NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(0, seen.login_err);
	assert_int_equal(0, ll_check_login(sdk));
	assert_int_equal(0, ll_logout(sdk, NULL, NULL));

	/* Plain SIP where the app allows it. */
	snprintf(uri, sizeof(uri), "sip:1002@%s", server.sip_host);
	assert_int_equal(0, ll_allow_insecure(sdk, 1));
	seen_reset();
	assert_int_equal(0, ll_login_sip(sdk, uri, "s3cret", login_handler,
					 NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(0, seen.login_err);
	assert_int_equal(0, ll_logout(sdk, NULL, NULL));
	assert_int_equal(0, ll_allow_insecure(sdk, 0));
}


static void test_destroy_in_callback(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	char uri[128];
	(void)state;

	snprintf(uri, sizeof(uri), "sip:1002@%s;transport=tls",
		 server.sip_tls_host);

	assert_int_equal(0, ll_set_server_certificate(sdk,
						      server.cert_sha256));
	seen_reset();
	assert_int_equal(0, ll_login_sip(sdk, uri, "s3cret",
					 login_destroy_handler, NULL));
	assert_true(wait_for(&seen.logins, 1));
	assert_int_equal(LL_ERR_IN_CALLBACK, seen.destroy_ret);
	assert_int_equal(0, ll_check_login(sdk));

	/* Destroy while logged in: unregisters, stops the thread. */
	assert_int_equal(0, ll_destroy_shared_instance());
	assert_int_equal(0, ll_destroy_shared_instance());

	/* And a new instance works. */
	sdk = ll_shared_instance();
	assert_non_null(sdk);
	assert_int_equal(0, ll_set_console_enabled(sdk, false));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
}


/* ---- Threads -------------------------------------------------------- */

static void *hammer(void *arg)
{
	struct ll_sdk *sdk = arg;
	uintptr_t bad = 0;
	int i;

	for (i = 0; i < 300; i++) {
		uint32_t v;

		bad += 0 != ll_set_capture_volume(sdk, (uint32_t)(i % 151));
		bad += 0 != ll_get_capture_volume(sdk, &v);
		bad += v > 150;
		bad += LL_ERR_NOT_LOGGED_IN != ll_check_login(sdk);
		bad += LL_ERR_NO_CALL != ll_answer(sdk);
	}

	return (void *)bad;
}


static void test_two_threads(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	pthread_t a, b;
	void *ra, *rb;
	(void)state;

	assert_int_equal(0, pthread_create(&a, NULL, hammer, sdk));
	assert_int_equal(0, pthread_create(&b, NULL, hammer, sdk));
	assert_int_equal(0, pthread_join(a, &ra));
	assert_int_equal(0, pthread_join(b, &rb));
	assert_int_equal(0, (uintptr_t)ra);
	assert_int_equal(0, (uintptr_t)rb);
}


/* ---- Withdrawal ----------------------------------------------------- */

static void test_withdraw(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	char dir[64], file[128];
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/ll-test-sdk-log-%d", (int)getpid());
	snprintf(file, sizeof(file), "%s/liblianluo.log", dir);

	assert_int_equal(LL_ERR_INVALID_ARGUMENT, ll_set_log_dir(sdk, ""));
	assert_int_equal(0, ll_set_log_dir(sdk, dir));
	assert_int_equal(0, ll_set_log_level(sdk, LL_LOG_DEBUG));
	assert_int_equal(LL_ERR_NOT_LOGGED_IN, ll_check_login(sdk));
	assert_int_equal(0, access(file, F_OK));

	assert_int_equal(0, ll_privacy_withdraw());
	assert_int_equal(-1, access(file, F_OK));
	assert_int_equal(-1, access(dir, F_OK));
	assert_null(ll_shared_instance());
	assert_int_equal(LL_ERR_CONSENT_REQUIRED, ll_check_login(sdk));
	assert_int_equal(1, thread_count());
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_consent),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_login_refused),
		cmocka_unit_test(test_login_agent),
		cmocka_unit_test(test_login_https),
		cmocka_unit_test(test_login_sip),
		cmocka_unit_test(test_destroy_in_callback),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_withdraw),
	};

	/* cmocka runs these in order; the server lives for the group. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
