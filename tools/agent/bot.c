/**
 * @file agent/bot.c  lianluo-agent: the unattended bot
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * With --auto-answer the bot answers every call offered to it; with
 * --call it places its calls itself, one after the other.  Each call
 * plays --play to the other side and records what the agent hears to
 * --record, through the SDK's file audio driver.  Once a call is
 * answered, the actions asked for run on a schedule measured from that
 * moment: the --dtmf digits (the first after DTMF_START_MS, then one
 * every DTMF_GAP_MS), mute and unmute, and the hang-up.  After --calls
 * calls it logs out and exits 0; any failure is one line on stderr and
 * exit status 1.
 *
 * --status asks for the first status after login and for each next one
 * on SIGUSR1 (status.c).
 *
 * All of it runs on the main thread, which waits on the event queue with
 * a deadline: the earliest of the scheduled actions and the time-outs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lianluo/lianluo.h>
#include "agent.h"


enum {
	DTMF_START_MS     = 500,
	DTMF_GAP_MS       = 250,
	CALL_SETUP_MS     = 60000,   /* --call: answered within this */
	PATH_MAX_LEN      = 1024,
};

struct bot {
	struct ll_sdk *sdk;
	const struct agent_args *a;
	unsigned done;               /* calls completed                  */
	int rc;
	bool stop;

	/* The current call */
	bool in_call;                /* a session exists                 */
	bool placing;                /* ll_call() made, no session yet   */
	bool accepted;
	enum ll_direction dir;
	int64_t t_placed;
	int64_t t_accepted;
	size_t dtmf_next;            /* index into --dtmf                */
	bool muted;
	bool unmuted;
	bool hung_up;
	int64_t t_hung_up;

	int64_t deadline;            /* --timeout, or -1                 */
	unsigned status_next;        /* index into --status              */
	char record[PATH_MAX_LEN];   /* --record of the current call     */
};


static void bot_fail(struct bot *b, const char *what, int err)
{
	out_fail(what, err);
	b->rc = AGENT_EXIT_FAIL;
	b->stop = true;
}


/*
 * The recording of call n: --record itself for the first call, then
 * "name-n.wav" (the number goes before the extension), so that --calls N
 * keeps every call.
 */
static void record_path(struct bot *b, unsigned n)
{
	const char *path = b->a->record;
	const char *dot, *slash;

	if (!path) {
		b->record[0] = '\0';
		return;
	}
	if (n <= 1) {
		snprintf(b->record, sizeof(b->record), "%s", path);
		return;
	}

	dot = strrchr(path, '.');
	slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		dot = path + strlen(path);

	snprintf(b->record, sizeof(b->record), "%.*s-%u%s",
		 (int)(dot - path), path, n, dot);
}


/* The file driver for call n: --play to send, --record to keep. */
static int audio_setup(struct bot *b, unsigned n)
{
	const struct agent_args *a = b->a;
	int err;

	record_path(b, n);
	if (a->play || a->record)
		err = ll_set_audio_driver(b->sdk, "file", a->play,
					  a->record ? b->record : NULL);
	else
		err = ll_set_audio_driver(b->sdk, "null", NULL, NULL);
	if (err)
		bot_fail(b, "cannot set the audio driver", err);

	return err;
}


static void call_reset(struct bot *b)
{
	b->in_call = false;
	b->placing = false;
	b->accepted = false;
	b->dtmf_next = 0;
	b->muted = false;
	b->unmuted = false;
	b->hung_up = false;
}


static void place_call(struct bot *b)
{
	char what[128];
	int err;

	err = ll_call(b->sdk, b->a->call, b->a->remark, b->a->uui,
		      evq_call_handler, NULL);
	if (err) {
		snprintf(what, sizeof(what), "call to %s failed", b->a->call);
		bot_fail(b, what, err);
		return;
	}

	b->placing = true;
	b->t_placed = now_ms();
}


static int64_t earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}


/* The next moment something is due, or -1 when only events can come. */
static int64_t next_due(const struct bot *b)
{
	const struct agent_args *a = b->a;
	int64_t t = b->deadline;

	if (b->placing && !b->accepted)
		t = earliest(t, b->t_placed + CALL_SETUP_MS);
	if (b->hung_up)
		t = earliest(t, b->t_hung_up + AGENT_HANGUP_TIMEOUT_MS);
	if (!b->accepted || b->hung_up)
		return t;

	if (a->dtmf && a->dtmf[b->dtmf_next])
		t = earliest(t, b->t_accepted + DTMF_START_MS +
			     (int64_t)b->dtmf_next * DTMF_GAP_MS);
	if (a->mute_after_ms >= 0 && !b->muted)
		t = earliest(t, b->t_accepted + a->mute_after_ms);
	if (a->unmute_after_ms >= 0 && !b->unmuted)
		t = earliest(t, b->t_accepted + a->unmute_after_ms);
	if (a->hangup_after_ms >= 0)
		t = earliest(t, b->t_accepted + a->hangup_after_ms);

	return t;
}


/* Carry out what is due now. */
static void run_due(struct bot *b)
{
	const struct agent_args *a = b->a;
	const int64_t now = now_ms();
	int err;

	if (b->deadline >= 0 && now >= b->deadline) {
		char what[96];

		snprintf(what, sizeof(what), "timed out with %u of %u calls "
			 "done", b->done, a->calls);
		bot_fail(b, what, LL_ERR_TIMEOUT);
		return;
	}
	if (b->placing && !b->accepted &&
	    now >= b->t_placed + CALL_SETUP_MS) {
		bot_fail(b, "the call was not answered in time",
			 LL_ERR_TIMEOUT);
		return;
	}
	if (b->hung_up && now >= b->t_hung_up + AGENT_HANGUP_TIMEOUT_MS) {
		bot_fail(b, "the call did not end after hanging up",
			 LL_ERR_TIMEOUT);
		return;
	}
	if (!b->accepted || b->hung_up)
		return;

	while (a->dtmf && a->dtmf[b->dtmf_next] &&
	       now >= b->t_accepted + DTMF_START_MS +
	       (int64_t)b->dtmf_next * DTMF_GAP_MS) {
		const char digit = a->dtmf[b->dtmf_next++];

		err = ll_send_dtmf(b->sdk, digit);
		if (err) {
			bot_fail(b, "cannot send DTMF", err);
			return;
		}
		out_event("dtmf-sent digit=%c", digit);
	}

	if (a->mute_after_ms >= 0 && !b->muted &&
	    now >= b->t_accepted + a->mute_after_ms) {
		b->muted = true;
		err = ll_mute(b->sdk);
		if (err) {
			bot_fail(b, "cannot mute", err);
			return;
		}
		out_event("muted");
	}
	if (a->unmute_after_ms >= 0 && !b->unmuted &&
	    now >= b->t_accepted + a->unmute_after_ms) {
		b->unmuted = true;
		err = ll_unmute(b->sdk);
		if (err) {
			bot_fail(b, "cannot unmute", err);
			return;
		}
		out_event("unmuted");
	}

	if (a->hangup_after_ms >= 0 &&
	    now >= b->t_accepted + a->hangup_after_ms) {
		b->hung_up = true;
		b->t_hung_up = now;
		out_event("hangup");
		err = ll_terminate(b->sdk);
		if (err)
			bot_fail(b, "cannot hang up", err);
	}
}


static void on_new_session(struct bot *b, const struct agent_ev *ev)
{
	int err;

	if (ev->dir == LL_DIRECTION_INBOUND && !b->a->auto_answer) {
		/* A caller bot takes no calls: reject one that comes between
		 * its own calls (during one, the SDK is busy anyway), and do
		 * not count it. */
		if (!b->in_call && !b->placing)
			(void)ll_terminate(b->sdk);
		return;
	}

	b->in_call = true;
	b->dir = ev->dir;
	if (ev->dir != LL_DIRECTION_INBOUND)
		return;

	err = ll_answer(b->sdk);
	if (err)
		bot_fail(b, "cannot answer", err);
}


static void on_ended(struct bot *b, const struct agent_ev *ev)
{
	const bool ours = b->in_call || b->placing;

	if (!ours)
		return;    /* a call we rejected */

	if (!b->accepted) {
		char what[160];

		if (b->dir == LL_DIRECTION_INBOUND && !b->placing &&
		    ev->reason == LL_END_REMOTE_CANCEL) {
			/* The caller gave up first: nothing to count. */
			call_reset(b);
			return;
		}

		snprintf(what, sizeof(what), "%s call failed (%s, SIP %d)",
			 b->placing ? "the" : "the incoming",
			 ll_end_reason_str(ev->reason), ev->err);
		bot_fail(b, what, ev->err ? ev->err : LL_ERR_INTERNAL);
		call_reset(b);
		return;
	}

	call_reset(b);
	++b->done;
	if (b->a->calls && b->done >= b->a->calls) {
		b->stop = true;
		return;
	}

	(void)audio_setup(b, b->done + 1);
}


/*
 * The next --status (after login, then on SIGUSR1).  During a call it is
 * reserved for after the call.  A refusal is printed, not fatal: the bot
 * keeps taking calls in the status it has.
 */
static void status_next(struct bot *b)
{
	const struct agent_args *a = b->a;

	if (b->status_next >= a->statusc)
		return;

	(void)status_apply(b->sdk, &a->status[b->status_next++],
			   b->in_call || b->placing);
}


static void handle(struct bot *b, const struct agent_ev *ev)
{
	out_print_ev(ev);

	switch (ev->type) {

	case AEV_NEW_SESSION:
		on_new_session(b, ev);
		break;

	case AEV_ACCEPTED:
		if (!b->in_call)
			break;
		b->accepted = true;
		b->t_accepted = now_ms();
		break;

	case AEV_ENDED:
		on_ended(b, ev);
		break;

	case AEV_CALL_RESULT:
		if (ev->err && !b->accepted && (b->placing || b->in_call)) {
			char what[160];

			snprintf(what, sizeof(what), "call to %s failed",
				 b->a->call);
			bot_fail(b, what, ev->err);
		}
		break;

	case AEV_STATUS_NEXT:
		status_next(b);
		break;

	case AEV_SIGNAL:
		b->stop = true;
		if (b->a->calls && b->done < b->a->calls) {
			out_errorf("stopped by signal %d after %u of %u calls",
				   ev->err, b->done, b->a->calls);
			b->rc = AGENT_EXIT_FAIL;
		}
		break;

	default:
		break;
	}
}


/**
 * Run the bot until its calls are done, a failure or a signal.
 *
 * @param sdk  Shared instance, listener set
 * @param a    Options (bot mode)
 *
 * @return Exit status
 */
int bot_run(struct ll_sdk *sdk, const struct agent_args *a)
{
	struct bot b;
	struct agent_ev ev;

	memset(&b, 0, sizeof(b));
	b.sdk = sdk;
	b.a = a;
	b.rc = AGENT_EXIT_OK;
	b.deadline = a->timeout_ms >= 0 ? now_ms() + a->timeout_ms : -1;

	if (audio_setup(&b, 1))
		return b.rc;

	if (agent_login(sdk, a, AGENT_LOGIN_TIMEOUT_MS, NULL))
		return AGENT_EXIT_FAIL;

	privacy_background(sdk, a);
	if (privacy_withdraw(sdk, a))
		return AGENT_EXIT_OK;

	status_next(&b);

	while (!b.stop) {
		if (a->call && !b.in_call && !b.placing) {
			place_call(&b);
			if (b.stop)
				break;
		}

		if (evq_pop(&ev, next_due(&b)))
			handle(&b, &ev);
		if (!b.stop)
			run_due(&b);
	}

	if (b.in_call || b.placing)
		agent_hangup(sdk, AGENT_HANGUP_TIMEOUT_MS);
	agent_logout(sdk, AGENT_LOGOUT_TIMEOUT_MS);

	return b.rc;
}
