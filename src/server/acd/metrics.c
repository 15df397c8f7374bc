/**
 * @file acd/metrics.c  Live figures of queues and agents, for supervisors
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Read-only: these functions look at the calls in progress and the agent
 * objects and change nothing, so that a monitoring request can never
 * disturb routing.  Figures over time come from the CDRs (store/metrics.c).
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


struct member_ctx {
	const struct acd *acd;
	const char *app;
	uint32_t *agents;
};


static void status_count(struct member_ctx *ctx, const char *user_id)
{
	const struct acd_agent *ag = acd_agent_find(ctx->acd, ctx->app,
						    user_id);
	enum acd_agent_status st = ag ? ag->status : ACD_AGENT_OFFLINE;

	if ((unsigned)st <= ACD_AGENT_REST)
		++ctx->agents[st];
}


static void member_handler(const struct store_member *m, void *arg)
{
	status_count(arg, m->user_id);
}


static void staff_handler(const struct store_staff *s, void *arg)
{
	status_count(arg, s->user_id);
}


/**
 * The live figures of one skill group: waiting calls, the longest wait
 * and the group's members by status
 *
 * @param acd   ACD
 * @param app   SdkAppId
 * @param group Skill group name
 * @param qn    Returned figures
 *
 * @return 0 if success, otherwise errorcode
 */
int acd_queue_now(const struct acd *acd, const char *app, const char *group,
		  struct acd_queue_now *qn)
{
	struct member_ctx ctx;
	const uint64_t now = acd_now_ms();
	struct le *le;

	if (!acd || !app || !group || !qn)
		return EINVAL;

	memset(qn, 0, sizeof(*qn));

	for (le = acd->calls.head; le; le = le->next) {
		const struct acd_call *call = le->data;
		uint64_t start;

		if (call->cdr.direction != STORE_DIR_INBOUND ||
		    strcmp(call->cdr.sdk_app_id, app) ||
		    strcmp(call->cdr.group, group))
			continue;

		if (call->state == ACD_CALL_TALKING) {
			++qn->talking;
			continue;
		}

		if (call->state != ACD_CALL_QUEUED &&
		    call->state != ACD_CALL_RINGING)
			continue;

		++qn->waiting;
		if (call->state == ACD_CALL_RINGING)
			++qn->ringing;

		start = (uint64_t)(call->cdr.queued_ms ? call->cdr.queued_ms
				   : call->cdr.offered_ms);
		if (start && now > start && now - start > qn->longest_wait_ms)
			qn->longest_wait_ms = now - start;
	}

	ctx.acd = acd;
	ctx.app = app;
	ctx.agents = qn->agents;

	return store_member_list_by_group(acd->st, app, group, member_handler,
					  &ctx);
}


struct reg_ctx {
	const char *app;
	uint32_t registered;
};


static bool registered_handler(struct le *le, void *arg)
{
	const struct acd_agent *ag = le->data;
	struct reg_ctx *ctx = arg;

	if (ag->reg_expires && !strcmp(ag->app, ctx->app))
		++ctx->registered;

	return false;
}


/**
 * The live figures of one application: registered agents, calls in
 * progress by state, staff by status
 *
 * @return 0 if success, otherwise errorcode
 */
int acd_app_now(const struct acd *acd, const char *app,
		struct acd_app_now *an)
{
	struct member_ctx ctx;
	struct reg_ctx rctx = {app, 0};
	struct le *le;

	if (!acd || !app || !an)
		return EINVAL;

	memset(an, 0, sizeof(*an));

	(void)hash_apply(acd->agents, registered_handler, &rctx);
	an->registered = rctx.registered;

	for (le = acd->calls.head; le; le = le->next) {
		const struct acd_call *call = le->data;

		if (strcmp(call->cdr.sdk_app_id, app))
			continue;
		if ((unsigned)call->state <= ACD_CALL_ENDED)
			++an->calls[call->state];
	}

	ctx.acd = acd;
	ctx.app = app;
	ctx.agents = an->agents;

	return store_staff_list(acd->st, app, staff_handler, &ctx);
}
