/**
 * @file examples/answer_calls.c  Answer calls with liblianluo
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The smallest useful agent app: it logs in as an agent with a login
 * token, answers every call offered to it, plays a WAV to the caller and
 * records what the caller says, and logs out after the first call ends.
 *
 * Build it against the installed SDK:
 *
 *   cc -o answer_calls answer_calls.c $(pkg-config --cflags --libs lianluo)
 *
 * Run it with a token your backend got from the server (here from
 * lianluoctl token create --user agent1), and the server's certificate
 * fingerprint (credentials.json's cert_sha256; with a certificate from a
 * CA, give "" and the system's trust store verifies it):
 *
 *   ./answer_calls https://127.0.0.1:8443 CERT-SHA256 SDKAPPID agent1 \
 *                  TOKEN hello.wav heard.wav
 *
 * Everything then travels encrypted: the login over HTTPS, SIP over TLS,
 * the voice as SRTP.
 *
 * The listener's callbacks run on the SDK's own thread; this example
 * hands what it learns to main() through a mutex and a condition
 * variable, which is the pattern any app with its own main loop follows.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <lianluo/lianluo.h>


/* What the callbacks tell main(): guarded by lock, signalled on cond. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int login_err = 1;        /* 1: no answer yet */
static int logout_done;
static int call_ended;


/* SDK thread: the result of ll_login_agent(). */
static void login_handler(int err, const struct ll_login_info *info,
			  void *arg)
{
	(void)arg;

	if (!err)
		printf("logged in as %s\n", info->aor);

	pthread_mutex_lock(&lock);
	login_err = err;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}


/* SDK thread: a call is offered.  Answering from a callback is allowed
 * (ll_answer does not block on the network). */
static void new_session_handler(const struct ll_session_info *info,
				void *arg)
{
	struct ll_sdk *sdk = arg;
	int err;

	/* from_user may be a phone number: print only the direction here;
	 * an app that shows it must mask it (138****5678). */
	printf("new %s call\n", info->direction == LL_DIRECTION_INBOUND ?
	       "incoming" : "outgoing");

	if (info->direction != LL_DIRECTION_INBOUND)
		return;

	err = ll_answer(sdk);
	if (err)
		printf("answer: %s\n", ll_strerror(err));
}


static void accepted_handler(const char *session_id, void *arg)
{
	(void)arg;
	printf("call %s answered\n", session_id);
}


static void ended_handler(const char *session_id, enum ll_end_reason reason,
			  int sip_code, const char *msg, void *arg)
{
	(void)msg;
	(void)arg;
	printf("call %s ended: %s (%d)\n", session_id,
	       ll_end_reason_str(reason), sip_code);

	pthread_mutex_lock(&lock);
	call_ended = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}


static void logout_handler(int err, const char *msg, void *arg)
{
	(void)msg;
	(void)arg;
	if (err)
		printf("logout: %s\n", ll_strerror(err));

	pthread_mutex_lock(&lock);
	logout_done = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}


int main(int argc, char *argv[])
{
	struct ll_listener listener;
	struct ll_sdk *sdk;
	int err;

	if (argc != 8) {
		fprintf(stderr, "usage: %s SERVER-URL CERT-SHA256 SDKAPPID "
			"USER TOKEN PLAY.wav RECORD.wav\n", argv[0]);
		return 2;
	}

	/* 1. Consent.  Ask the end user first, in your app's own words;
	 *    report their answer.  Before this the SDK does nothing at all
	 *    and ll_shared_instance() returns NULL. */
	ll_privacy_consent(1);

	/* 2. The shared instance; it starts the SDK's thread. */
	sdk = ll_shared_instance();
	if (!sdk) {
		fprintf(stderr, "no SDK instance\n");
		return 1;
	}

	/* 3. The listener: only the callbacks we need; the others stay
	 *    NULL.  arg comes back to every callback. */
	memset(&listener, 0, sizeof(listener));
	listener.on_new_session = new_session_handler;
	listener.on_accepted = accepted_handler;
	listener.on_ended = ended_handler;
	listener.arg = sdk;
	err = ll_set_listener(sdk, &listener);

	/* 4. Audio: play a WAV to the caller, record what they say. */
	if (!err)
		err = ll_set_audio_driver(sdk, "file", argv[6], argv[7]);

	/* 5. How the server is verified: its certificate's fingerprint. */
	if (!err)
		err = ll_set_server_certificate(sdk, argv[2]);

	/* 6. Log in as an agent; the result comes to login_handler. */
	if (!err)
		err = ll_login_agent(sdk, argv[1], argv[3], argv[4], argv[5],
				     login_handler, NULL);
	if (err) {
		fprintf(stderr, "%s\n", ll_strerror(err));
		goto out;
	}

	pthread_mutex_lock(&lock);
	while (login_err == 1)
		pthread_cond_wait(&cond, &lock);
	err = login_err;
	pthread_mutex_unlock(&lock);
	if (err) {
		fprintf(stderr, "login refused: %s\n", ll_strerror(err));
		goto out;
	}

	/* 7. Calls are answered by new_session_handler; wait for the end
	 *    of the first one. */
	pthread_mutex_lock(&lock);
	while (!call_ended)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);

	/* 8. Log out (unregister), and wait for it. */
	if (!ll_logout(sdk, logout_handler, NULL)) {
		pthread_mutex_lock(&lock);
		while (!logout_done)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
	}

 out:
	/* 9. Destroy the instance: ends any call, stops the SDK thread. */
	ll_destroy_shared_instance();

	return err ? 1 : 0;
}
