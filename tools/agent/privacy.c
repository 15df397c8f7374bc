/**
 * @file agent/privacy.c  lianluo-agent: the privacy disclosure, the
 *                        privacy switches, the log directory and the
 *                        background state
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <lianluo/lianluo.h>
#include "agent.h"


/**
 * Print the SDK's disclosure (--privacy-disclosure); needs no consent.
 *
 * @return Exit status
 */
int privacy_print_disclosure(const struct agent_args *a)
{
	const char *text;

	text = ll_privacy_disclosure(a->lang ? a->lang : "en",
				     a->json ? "json" : "markdown");
	if (!text) {
		out_errorf("no privacy disclosure for --lang %s",
			   a->lang ? a->lang : "en");
		return AGENT_EXIT_FAIL;
	}

	fputs(text, stdout);
	fflush(stdout);

	return AGENT_EXIT_OK;
}


/* Apply a comma-separated list of item names. */
static int switch_list(struct ll_sdk *sdk, const char *list, bool on)
{
	char name[64];
	const char *p = list;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int i, err;

		if (n == 0 || n >= sizeof(name)) {
			out_errorf("bad privacy item list %s", list);
			return AGENT_EXIT_USAGE;
		}
		memcpy(name, p, n);
		name[n] = '\0';

		for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++) {
			const char *id;

			id = ll_privacy_item_name((enum ll_privacy_item)i);
			if (id && 0 == strcmp(id, name))
				break;
		}
		if (i == LL_PRIVACY_ITEM_COUNT) {
			out_errorf("unknown privacy item %s", name);
			return AGENT_EXIT_USAGE;
		}

		err = ll_set_privacy_switch(sdk, (enum ll_privacy_item)i, on);
		if (err) {
			out_fail(name, err);
			return AGENT_EXIT_USAGE;
		}

		p = comma ? comma + 1 : NULL;
	}

	return AGENT_EXIT_OK;
}


/**
 * Switches, then the log directory (so that a log-file switch that is
 * off keeps the directory untouched).
 *
 * @return Exit status: AGENT_EXIT_OK to go on
 */
int privacy_setup(struct ll_sdk *sdk, const struct agent_args *a)
{
	int rc, err;

	rc = switch_list(sdk, a->privacy_on, true);
	if (rc == AGENT_EXIT_OK)
		rc = switch_list(sdk, a->privacy_off, false);
	if (rc != AGENT_EXIT_OK)
		return rc;

	if (a->log_dir) {
		err = ll_set_log_dir(sdk, a->log_dir);
		if (err) {
			out_fail("--log-dir", err);
			return AGENT_EXIT_FAIL;
		}
	}

	return AGENT_EXIT_OK;
}


/**
 * --background-for: after login, the app is in the background for that
 * long.  Events that come meanwhile are printed only; a signal ends the
 * wait and is handed back to the caller's loop.
 */
void privacy_background(struct ll_sdk *sdk, const struct agent_args *a)
{
	struct agent_ev ev;
	int64_t deadline;
	int err;

	if (a->background_for_ms < 0)
		return;

	err = ll_set_app_state(sdk, LL_APP_BACKGROUND);
	if (err) {
		out_fail("background", err);
		return;
	}
	out_event("background");

	deadline = now_ms() + a->background_for_ms;
	while (now_ms() < deadline) {
		if (!evq_pop(&ev, deadline))
			continue;
		if (ev.type == AEV_SIGNAL) {
			evq_push(&ev);
			break;
		}
		out_print_ev(&ev);
	}

	out_event("foreground");
	err = ll_set_app_state(sdk, LL_APP_FOREGROUND);
	if (err)
		out_fail("foreground", err);
}


/**
 * --withdraw-after: wait, withdraw consent, then stay 3.5 s without a
 * call into the SDK, so that a test can watch the process (strace)
 * between "event withdrawn" and "event quiet-end".
 *
 * @return true when consent was withdrawn (the bot is over)
 */
bool privacy_withdraw(struct ll_sdk *sdk, const struct agent_args *a)
{
	struct agent_ev ev;
	int64_t deadline;
	int err;
	(void)sdk;

	if (a->withdraw_after_ms < 0)
		return false;

	deadline = now_ms() + a->withdraw_after_ms;
	while (now_ms() < deadline) {
		if (!evq_pop(&ev, deadline))
			continue;
		if (ev.type == AEV_SIGNAL) {
			evq_push(&ev);
			return false;
		}
		out_print_ev(&ev);
	}

	err = ll_privacy_withdraw();
	if (err) {
		out_fail("withdraw", err);
		return false;
	}
	out_event("withdrawn");

	/* No event can come any more: the instance is gone. */
	deadline = now_ms() + 3500;
	while (now_ms() < deadline)
		(void)evq_pop(&ev, deadline);

	out_event("quiet-end");

	return true;
}
