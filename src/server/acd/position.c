/**
 * @file acd/position.c  A waiting call's place in its queue and its wait
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * What a caller is told while waiting.  The position counts the calls of
 * the same application and skill group that will meet an agent first:
 * those being offered to an agent right now (they are served already;
 * one whose offer fails goes back ahead of us) and those queued before
 * this one (acd->queue is in serving order, see call.c).
 *
 * The estimated wait (EWT) is deliberately simple, in the spirit of the
 * "position times average handle time over staffed agents" estimate of
 * classic ACDs:
 *
 *   EWT = position * AHT / agents
 *
 * AHT, the average handle time, is the talk time of the group's last
 * EWT_HISTORY answered calls (among the application's last EWT_SCAN CDRs)
 * plus the group's after-call work; with no such call yet, AHT_DEFAULT_S
 * of talk is assumed.  agents counts the group's members who are logged
 * in, whatever their status (free, busy, after-call work, notReady, rest):
 * those on a break are expected back.  With nobody logged in there is no
 * estimate (ACD_EWT_UNKNOWN).
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


enum {
	EWT_HISTORY   = 20,
	EWT_SCAN      = 200,
	AHT_DEFAULT_S = 180,
};


struct aht_ctx {
	const char *group;
	uint64_t talk_ms;
	uint32_t calls;
};


static void cdr_handler(const struct store_cdr *c, void *arg)
{
	struct aht_ctx *ctx = arg;

	if (ctx->calls >= EWT_HISTORY)
		return;
	if (c->direction != STORE_DIR_INBOUND || strcmp(c->group, ctx->group))
		return;
	if (!c->answered_ms || c->ended_ms < c->answered_ms)
		return;

	ctx->talk_ms += (uint64_t)(c->ended_ms - c->answered_ms);
	++ctx->calls;
}


/* Average handle time of the call's group, in seconds. */
static uint64_t handle_time_s(const struct acd_call *call)
{
	const struct acd *acd = call->acd;
	struct aht_ctx ctx;
	uint64_t talk_s = AHT_DEFAULT_S;

	memset(&ctx, 0, sizeof(ctx));
	ctx.group = call->group.name;

	/* A store error leaves the default: a rough answer beats none. */
	(void)store_cdr_list(acd->st, call->cdr.sdk_app_id, EWT_SCAN,
			     cdr_handler, &ctx);
	if (ctx.calls)
		talk_s = (ctx.talk_ms / ctx.calls + 500) / 1000;

	return talk_s + (call->group.wrapup_s ? call->group.wrapup_s :
			 acd->cfg->wrapup_s);
}


struct staff_ctx {
	const struct acd *acd;
	const char *app;
	uint32_t n;
};


static void member_handler(const struct store_member *m, void *arg)
{
	struct staff_ctx *ctx = arg;
	const struct acd_agent *ag;

	ag = acd_agent_find(ctx->acd, ctx->app, m->user_id);
	if (ag && ag->reg_expires && ag->status != ACD_AGENT_OFFLINE)
		++ctx->n;
}


/* True if a is served before b (the order of call.c's queue). */
static bool served_before(const struct acd_call *a, const struct acd_call *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;

	return a->seq < b->seq;
}


static bool same_queue(const struct acd_call *a, const struct acd_call *b)
{
	return 0 == strcmp(a->cdr.sdk_app_id, b->cdr.sdk_app_id) &&
		0 == strcmp(a->group.name, b->group.name);
}


/**
 * Where a waiting call stands, and how long it may still wait.
 *
 * @param call   An inbound call, queued or being offered to an agent
 * @param posp   Returned position, 1 = the next to meet an agent
 * @param ewt_sp Returned estimated wait in seconds, or ACD_EWT_UNKNOWN
 *               when nobody of the group is logged in (may be NULL)
 *
 * @return 0 if success, ENOENT if the call is not waiting
 */
int acd_call_position(const struct acd_call *call, uint32_t *posp,
		      uint32_t *ewt_sp)
{
	const struct acd *acd;
	struct staff_ctx staff;
	uint32_t ahead = 0;
	uint64_t ewt;
	struct le *le;

	if (!call || !posp)
		return EINVAL;

	if (call->state != ACD_CALL_QUEUED && call->state != ACD_CALL_RINGING)
		return ENOENT;

	acd = call->acd;

	/* Calls being offered: ahead of every queued one. */
	for (le = acd->calls.head; le; le = le->next) {
		const struct acd_call *c = le->data;

		if (c == call || c->state != ACD_CALL_RINGING ||
		    !same_queue(c, call))
			continue;

		/* Of two calls ringing, the one served first leads. */
		if (call->state == ACD_CALL_QUEUED || served_before(c, call))
			++ahead;
	}

	/* Queued calls: the queue is in serving order. */
	if (call->state == ACD_CALL_QUEUED) {
		for (le = acd->queue.head; le && le->data != call;
		     le = le->next) {
			const struct acd_call *c = le->data;

			if (c->state == ACD_CALL_QUEUED && same_queue(c, call))
				++ahead;
		}

		/* Out of the queue already (its max wait is over). */
		if (!le)
			return ENOENT;
	}

	*posp = ahead + 1;

	if (!ewt_sp)
		return 0;

	memset(&staff, 0, sizeof(staff));
	staff.acd = acd;
	staff.app = call->cdr.sdk_app_id;
	if (store_member_list_by_group(acd->st, staff.app, call->group.name,
				       member_handler, &staff) || !staff.n) {
		*ewt_sp = ACD_EWT_UNKNOWN;
		return 0;
	}

	ewt = (uint64_t)*posp * handle_time_s(call) / staff.n;
	*ewt_sp = ewt < ACD_EWT_UNKNOWN ? (uint32_t)ewt : ACD_EWT_UNKNOWN - 1;

	return 0;
}
