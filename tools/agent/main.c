/**
 * @file agent/main.c  lianluo-agent: start-up, consent, signals, shutdown
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The order of start-up is the order an app must follow: nothing of the
 * SDK is used before the end user's consent (--consent granted), then the
 * consent is reported, the shared instance created, the listener set, and
 * the bot (bot.c) or the workstation (interactive.c) takes over.  Both end
 * the same way: hang up, log out, destroy the instance.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <lianluo/lianluo.h>
#include "agent.h"


static sigset_t sigs;
static void (*volatile restore)(void);


static void *signal_thread(void *arg)
{
	unsigned count = 0;

	(void)arg;

	for (;;) {
		struct agent_ev ev;
		int sig;

		if (sigwait(&sigs, &sig))
			continue;

		/* Not a stop: the bot's next --status (bot.c). */
		if (sig == SIGUSR1) {
			memset(&ev, 0, sizeof(ev));
			ev.type = AEV_STATUS_NEXT;
			evq_push(&ev);
			continue;
		}

		/* The second signal stops at once (the first one is being
		 * handled, and may be stuck on an unreachable server). */
		if (++count > 1) {
			if (restore)
				restore();
			_exit(AGENT_EXIT_FAIL);
		}

		memset(&ev, 0, sizeof(ev));
		ev.type = AEV_SIGNAL;
		ev.err = sig;
		evq_push(&ev);
	}

	return NULL;
}


/*
 * Block the stop signals in this thread before any other exists, so that
 * every thread (the SDK's included) inherits the mask and only our
 * signal thread ever receives them.
 */
static int signals_start(void)
{
	pthread_t tid;
	int err;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGUSR1);

	err = pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (err)
		return err;

	err = pthread_create(&tid, NULL, signal_thread, NULL);
	if (err)
		return err;

	return pthread_detach(tid);
}


/**
 * Set the function that puts the terminal back when a second signal ends
 * the program at once (NULL: none).
 */
void agent_fatal_signal_exit(void (*restoreh)(void))
{
	restore = restoreh;
}


/**
 * Log in (agent or SIP mode, from the options) and wait for the result,
 * printing the other events that come meanwhile.  A failure is reported
 * on stderr.
 *
 * @param sdk         Shared instance
 * @param a           Options
 * @param timeout_ms  How long to wait for the result
 * @param result      Receives the login event (may be NULL)
 *
 * @return 0 when logged in, otherwise an error code
 */
int agent_login(struct ll_sdk *sdk, const struct agent_args *a,
		int64_t timeout_ms, struct agent_ev *result)
{
	const int64_t deadline = now_ms() + timeout_ms;
	struct agent_ev ev;
	int err;

	/* Both modes verify the server's TLS certificate the same way. */
	err = ll_allow_insecure(sdk, a->insecure);
	if (!err)
		err = ll_set_server_certificate(sdk, a->cert_sha256 ?
						a->cert_sha256 : a->ca_file);
	if (!err && a->sip_uri)
		err = ll_login_sip(sdk, a->sip_uri, a->password,
				   evq_login_handler, NULL);
	else if (!err)
		err = ll_login_agent(sdk, a->server, a->app, a->user,
				     a->token, evq_login_handler, NULL);
	if (err) {
		out_fail("login failed", err);
		return err;
	}

	for (;;) {
		if (!evq_pop(&ev, deadline)) {
			out_fail("login: no answer from the server in time",
				 LL_ERR_TIMEOUT);
			return LL_ERR_TIMEOUT;
		}
		out_print_ev(&ev);

		if (ev.type == AEV_SIGNAL) {
			out_errorf("login interrupted by signal %d", ev.err);
			return LL_ERR_INTERNAL;
		}
		if (ev.type != AEV_LOGIN)
			continue;

		if (ev.err == LL_ERR_CERTIFICATE && ev.msg[0]) {
			out_errorf("login failed: %s (%d): %s",
				   ll_strerror(ev.err), ev.err, ev.msg);
			return ev.err;
		}
		if (ev.err) {
			out_fail("login failed", ev.err);
			return ev.err;
		}
		if (result)
			*result = ev;

		return 0;
	}
}


/**
 * Log out and wait (a while) for it to complete, printing the events
 * that come meanwhile; a signal no longer interrupts this.
 *
 * @param sdk         Shared instance
 * @param timeout_ms  How long to wait
 */
void agent_logout(struct ll_sdk *sdk, int64_t timeout_ms)
{
	const int64_t deadline = now_ms() + timeout_ms;
	struct agent_ev ev;
	int err;

	err = ll_logout(sdk, evq_logout_handler, NULL);
	if (err == LL_ERR_NOT_LOGGED_IN)
		return;
	if (err) {
		out_fail("logout failed", err);
		return;
	}

	while (evq_pop(&ev, deadline)) {
		if (ev.type == AEV_SIGNAL)
			continue;
		out_print_ev(&ev);
		if (ev.type != AEV_LOGOUT)
			continue;
		if (ev.err)
			out_fail("logout failed", ev.err);
		return;
	}

	out_errorf("logout: no answer within %lld ms; leaving anyway",
		   (long long)timeout_ms);
}


/**
 * Hang up the current call, if any, and wait (a while) for its end,
 * printing the events that come meanwhile.
 *
 * @param sdk         Shared instance
 * @param timeout_ms  How long to wait for on_ended
 */
void agent_hangup(struct ll_sdk *sdk, int64_t timeout_ms)
{
	const int64_t deadline = now_ms() + timeout_ms;
	struct agent_ev ev;
	int err;

	err = ll_terminate(sdk);
	if (err == LL_ERR_NO_CALL)
		return;
	if (err) {
		out_fail("hang up failed", err);
		return;
	}

	while (evq_pop(&ev, deadline)) {
		if (ev.type == AEV_SIGNAL)
			continue;
		out_print_ev(&ev);
		if (ev.type == AEV_ENDED)
			return;
	}

	out_errorf("hang up: the call did not end within %lld ms",
		   (long long)timeout_ms);
}


/* The user did not agree: say so, and show that the SDK agrees. */
static int refuse_without_consent(void)
{
	struct ll_sdk *sdk = ll_shared_instance();
	const int err = LL_ERR_CONSENT_REQUIRED;

	if (sdk) {
		/* Never expected: the SDK must refuse before consent. */
		out_errorf("liblianluo gave an instance before consent");
		(void)ll_destroy_shared_instance();
		return AGENT_EXIT_FAIL;
	}

	fprintf(stderr, "lianluo-agent: refusing to start without the end "
		"user's consent: %s (%d); pass --consent granted once they "
		"have agreed to the privacy policy\n", ll_strerror(err), err);
	return AGENT_EXIT_USAGE;
}


static bool file_readable(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	fclose(f);
	return true;
}


int main(int argc, char *argv[])
{
	struct agent_args a;
	struct ll_listener lsnr;
	struct ll_sdk *sdk;
	int rc, err;

	out_init();

	rc = args_parse(&a, argc, argv);
	if (rc > 0)
		return AGENT_EXIT_OK;
	if (rc < 0)
		return AGENT_EXIT_USAGE;

	/* The disclosure is shown before any consent (rule 2). */
	if (a.disclosure)
		return privacy_print_disclosure(&a);

	if (!a.consent)
		return refuse_without_consent();

	if (a.play && !file_readable(a.play)) {
		out_errorf("cannot read --play %s: %s", a.play,
			   strerror(errno));
		return AGENT_EXIT_FAIL;
	}

	err = evq_init();
	if (!err)
		err = signals_start();
	if (err) {
		out_errorf("cannot start: %s", strerror(err));
		return AGENT_EXIT_FAIL;
	}

	(void)ll_privacy_consent(1);
	sdk = ll_shared_instance();
	if (!sdk) {
		out_fail("cannot create the SDK instance", LL_ERR_NO_MEMORY);
		return AGENT_EXIT_FAIL;
	}

	if (a.log_level >= 0) {
		err = ll_set_log_level(sdk, (enum ll_log_level)a.log_level);
		if (err)
			out_fail("--log-level", err);
	}

	rc = privacy_setup(sdk, &a);
	if (rc != AGENT_EXIT_OK)
		goto out;

	evq_listener(&lsnr);
	err = ll_set_listener(sdk, &lsnr);
	if (err) {
		out_fail("cannot set the listener", err);
		rc = AGENT_EXIT_FAIL;
		goto out;
	}

	if (args_bot_mode(&a))
		rc = bot_run(sdk, &a);
	else
		rc = interactive_run(sdk, &a);

 out:
	(void)ll_set_listener(sdk, NULL);
	(void)ll_destroy_shared_instance();
	evq_close();

	return rc;
}

