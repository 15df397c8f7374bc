/**
 * @file agent/status.c  lianluo-agent: the agent's status
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A status is given as STATUS[:REASON] (free, notReady, rest:lunch).  The
 * bot applies the first --status after login and the next one on each
 * SIGUSR1, reserved for after the call when one is in progress; the
 * workstation has keys for it.  Each status the server tells is one
 * line, "event status NAME [REASON] [pending NAME [REASON]]", and each
 * request's outcome one line, "event status-request status=NAME
 * reason=REASON code=N [text="..."]".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <lianluo/lianluo.h>
#include "agent.h"


/**
 * Parse STATUS[:REASON]; STATUS is free, notReady or rest (any case),
 * and rest needs a reason.
 *
 * @param r  Parsed request
 * @param s  Text
 *
 * @return 0 if success, otherwise -1
 */
int status_parse(struct agent_status *r, const char *s)
{
	static const enum ll_agent_status allowed[] = {
		LL_AGENT_FREE, LL_AGENT_NOT_READY, LL_AGENT_REST,
	};
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	size_t i;

	memset(r, 0, sizeof(*r));

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		const char *name = ll_agent_status_str(allowed[i]);

		if (strlen(name) == n && !strncasecmp(s, name, n))
			break;
	}
	if (i == sizeof(allowed) / sizeof(allowed[0]))
		return -1;

	r->status = allowed[i];
	if (colon) {
		if (!colon[1] || strlen(colon + 1) >= sizeof(r->reason))
			return -1;
		snprintf(r->reason, sizeof(r->reason), "%s", colon + 1);
	}

	if (r->status == LL_AGENT_REST && !r->reason[0])
		return -1;

	return 0;
}


/**
 * Ask the server for a status and print the outcome.
 *
 * @param sdk         Shared instance
 * @param r           The status
 * @param after_call  Reserve it for after the call
 *
 * @return The SDK's return code
 */
int status_apply(struct ll_sdk *sdk, const struct agent_status *r,
		 bool after_call)
{
	int err;

	err = ll_set_agent_status(sdk, r->status,
				  r->reason[0] ? r->reason : NULL,
				  after_call);
	if (err)
		out_event("status-request status=%s reason=%s code=%d "
			  "text=\"%s\"", ll_agent_status_str(r->status),
			  r->reason[0] ? r->reason : "-", err,
			  ll_strerror(err));
	else
		out_event("status-request status=%s reason=%s code=0%s",
			  ll_agent_status_str(r->status),
			  r->reason[0] ? r->reason : "-",
			  after_call ? " after-call" : "");

	return err;
}


/**
 * Extend (or start) after-call work and print the outcome.
 *
 * @return The SDK's return code
 */
int status_extend(struct ll_sdk *sdk, uint32_t seconds)
{
	int err;

	err = ll_extend_arrange(sdk, seconds);
	if (err)
		out_event("status-request status=arrange seconds=%u code=%d "
			  "text=\"%s\"", seconds, err, ll_strerror(err));
	else
		out_event("status-request status=arrange seconds=%u code=0",
			  seconds);

	return err;
}


/* A reason as one word of the event line. */
static void word(char *buf, size_t sz, const char *reason)
{
	if (strpbrk(reason, " \t\""))
		snprintf(buf, sz, " \"%s\"", reason);
	else if (*reason)
		snprintf(buf, sz, " %s", reason);
	else
		buf[0] = '\0';
}


/** The event line of a status the server told. */
void status_print(const struct ll_agent_status_info *info)
{
	char reason[80], pending[120], preason[80];

	word(reason, sizeof(reason), info->reason);
	pending[0] = '\0';
	if (info->pending != LL_AGENT_OFFLINE) {
		word(preason, sizeof(preason), info->pending_reason);
		snprintf(pending, sizeof(pending), " pending %s%s",
			 ll_agent_status_str(info->pending), preason);
	}

	out_event("status %s%s%s", ll_agent_status_str(info->status), reason,
		  pending);
}
