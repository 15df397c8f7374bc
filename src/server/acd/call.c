/**
 * @file acd/call.c  Calls: queueing, offering to agents, CDRs
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the waiting calls are kept in the order they are served:
 * higher caller priority first, then first come first served, in one
 * queue for the whole server (positions, metrics) and in one per skill
 * group.  The order is kept on insertion (from the tail, so a call of
 * the usual priority costs O(1)), never by dispatch.  Dispatch runs from
 * a zero-delay timer, so that it never re-enters the SIP code that
 * triggered it (an offer can fail synchronously), and offers the call
 * served first among the heads of the groups that have a free agent
 * (route.c knows that in O(1)): O(groups waiting), whatever the length
 * of the queue or the number of agents.
 * An agent who is being offered a call is reserved (agent->call set) and
 * can not be offered another.  Agents tried for a call are skipped for
 * that call until every free agent of the group has been tried.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


const char *acd_call_state_str(enum acd_call_state state)
{
	switch (state) {

	case ACD_CALL_OFFERED: return "offered";
	case ACD_CALL_QUEUED:  return "queued";
	case ACD_CALL_RINGING: return "ringing";
	case ACD_CALL_TALKING: return "talking";
	case ACD_CALL_ENDED:   return "ended";
	}

	return "?";
}


static void queue_remove(struct acd_call *call);


static void call_destructor(void *arg)
{
	struct acd_call *call = arg;

	if (call->state != ACD_CALL_ENDED)
		acd_call_end(call, "failed", "system", 500);

	tmr_cancel(&call->maxwait_tmr);
	tmr_cancel(&call->step_tmr);
	queue_remove(call);
	list_unlink(&call->le);
}


static void session_id_generate(char *buf, size_t sz)
{
	uint8_t rnd[16];

	rand_bytes(rnd, sizeof(rnd));
	(void)re_snprintf(buf, sz, "%w", rnd, sizeof(rnd));
}


/**
 * Create the ACD's record of a call; its CDR is written when it ends.
 *
 * @param callp    Returned call
 * @param acd      ACD
 * @param app      SdkAppId the call belongs to
 * @param inbound  True for a customer calling a service number
 * @param caller   Calling number or user
 * @param callee   Called number
 *
 * @return 0 if success, otherwise errorcode
 */
int acd_call_alloc(struct acd_call **callp, struct acd *acd, const char *app,
		   bool inbound, const char *caller, const char *callee)
{
	struct acd_call *call;

	if (!callp || !acd || !app || !caller || !callee)
		return EINVAL;

	call = mem_zalloc(sizeof(*call), call_destructor);
	if (!call)
		return ENOMEM;

	call->acd = acd;
	call->state = ACD_CALL_OFFERED;
	call->since_ms = acd_now_ms();
	tmr_init(&call->maxwait_tmr);
	tmr_init(&call->step_tmr);

	session_id_generate(call->cdr.session_id,
			    sizeof(call->cdr.session_id));
	str_ncpy(call->cdr.sdk_app_id, app, sizeof(call->cdr.sdk_app_id));
	call->cdr.direction = inbound ? STORE_DIR_INBOUND :
		STORE_DIR_OUTBOUND;
	str_ncpy(call->cdr.caller, caller, sizeof(call->cdr.caller));
	str_ncpy(call->cdr.callee, callee, sizeof(call->cdr.callee));
	call->cdr.offered_ms = (int64_t)call->since_ms;

	list_append(&acd->calls, &call->le, call);

	*callp = call;
	return 0;
}


const char *acd_call_id(const struct acd_call *call)
{
	return call ? call->cdr.session_id : NULL;
}


/* True if a is served before b. */
static bool served_before(const struct acd_call *a, const struct acd_call *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;

	return a->seq < b->seq;
}


/*
 * Insert in serving order.  Walks from the tail: a new call of a priority
 * already queued stops at once; a call back from a failed offer keeps
 * its place because it keeps its arrival number.
 */
static void ordered_insert(struct list *q, struct le *qle,
			   struct acd_call *call)
{
	struct le *le = q->tail;

	while (le && served_before(call, le->data))
		le = le->prev;

	if (le)
		list_insert_after(q, le, qle, call);
	else
		list_prepend(q, qle, call);
}


static void queue_insert(struct acd *acd, struct acd_call *call)
{
	struct acd_group *grp;

	ordered_insert(&acd->queue, &call->qle, call);

	grp = acd_route_group_obj(acd, call->cdr.sdk_app_id,
				  call->group.name);
	if (!grp) {
		log_warn("acd: call %s: no memory for the queue of %s",
			 call->cdr.session_id, call->group.name);
		return;
	}

	ordered_insert(&grp->queue, &call->gqle, call);
	call->qgrp = grp;
	if (!grp->wle.list)
		list_append(&acd->waiting, &grp->wle, grp);
}


static void queue_remove(struct acd_call *call)
{
	struct acd_group *grp = call->qgrp;

	list_unlink(&call->qle);
	if (!grp)
		return;

	list_unlink(&call->gqle);
	call->qgrp = NULL;
	if (list_isempty(&grp->queue))
		list_unlink(&grp->wle);
}


static void maxwait_handler(void *arg);


static uint32_t queued_in_group(struct acd *acd, const struct acd_call *call)
{
	struct acd_group *grp;
	uint32_t n;

	grp = acd_route_group_obj(acd, call->cdr.sdk_app_id,
				  call->group.name);
	if (!grp)
		return 0;

	n = list_count(&grp->queue);

	return call->qgrp == grp ? n - 1 : n;
}


/*
 * Enter a skill group's queue: the group's settings, its length limit
 * and, past the limit, its overflow group.  A call keeps its priority
 * and arrival number across groups, so an overflowed caller is served
 * before those who arrived later.
 *
 * @return 0 if queued, ENOENT unknown group, EOVERFLOW full without an
 *         overflow group (or past ACD_MAX_OVERFLOWS hops)
 */
static int group_enter(struct acd_call *call, const char *group)
{
	struct acd *acd = call->acd;
	char next[STORE_NAME_SZ];
	int err;

	err = store_group_get(acd->st, call->cdr.sdk_app_id, group,
			      &call->group);
	if (err)
		return err;

	if (!call->group.ring_timeout_s)
		call->group.ring_timeout_s = acd->cfg->ring_timeout_s;
	if (!call->group.max_wait_s)
		call->group.max_wait_s = acd->cfg->max_wait_s;

	str_ncpy(call->cdr.group, group, sizeof(call->cdr.group));

	/* A caller who called before meets their last agent, if free:
	 * looked up once, when a group that asks for it is entered, so
	 * that routing decisions need not. */
	if (call->group.last_agent_first && !call->last_agent_known) {
		call->last_agent_known = true;
		if (store_cdr_last_agent(acd->st, call->cdr.sdk_app_id,
					 call->cdr.caller, call->last_agent,
					 sizeof(call->last_agent)))
			call->last_agent[0] = '\0';
	}

	if (call->group.max_queue_len &&
	    queued_in_group(acd, call) >= call->group.max_queue_len) {

		if (!call->group.overflow_group[0] ||
		    call->overflows >= ACD_MAX_OVERFLOWS) {
			log_info("acd: call %s: queue of %s is full",
				 call->cdr.session_id, group);
			return EOVERFLOW;
		}

		++call->overflows;
		log_info("acd: call %s: queue of %s is full, overflow to %s",
			 call->cdr.session_id, group,
			 call->group.overflow_group);

		str_ncpy(next, call->group.overflow_group, sizeof(next));
		return group_enter(call, next);
	}

	call->state = ACD_CALL_QUEUED;
	if (!call->qle.list)
		queue_insert(acd, call);
	tmr_start(&call->maxwait_tmr, call->group.max_wait_s * 1000ULL,
		  maxwait_handler, call);

	acd_dispatch_schedule(acd);

	return 0;
}


/* Max wait reached: the overflow group if there is one, else give up. */
static void maxwait_handler(void *arg)
{
	struct acd_call *call = arg;
	int err = EOVERFLOW;

	if (call->state != ACD_CALL_QUEUED)
		return;

	log_info("acd: call %s waited %us in %s", call->cdr.session_id,
		 call->group.max_wait_s, call->group.name);

	if (call->group.overflow_group[0] &&
	    call->overflows < ACD_MAX_OVERFLOWS) {
		char next[STORE_NAME_SZ];

		str_ncpy(next, call->group.overflow_group, sizeof(next));
		++call->overflows;
		log_info("acd: call %s: overflow to %s", call->cdr.session_id,
			 next);
		queue_remove(call);
		call->triedc = 0;
		err = group_enter(call, next);
		if (!err)
			return;
	}

	queue_remove(call);
	if (call->timeouth)
		call->timeouth(call, err == EOVERFLOW ? ETIMEDOUT : err,
			       call->arg);
}


/**
 * Put an inbound call in its skill group's queue; agents are offered it
 * through offerh (once per agent rung), and timeouth is called after the
 * max wait of the last group it overflowed to.
 *
 * @return 0 if success, ENOENT if the group does not exist, EOVERFLOW if
 *         its queue (and its overflow's) is full: the caller ends the
 *         call ("queue-full")
 */
int acd_call_queue(struct acd_call *call, const char *group,
		   acd_offer_h *offerh, acd_timeout_h *timeouth, void *arg)
{
	struct acd *acd;

	if (!call || !group || !offerh)
		return EINVAL;

	acd = call->acd;

	call->offerh = offerh;
	call->timeouth = timeouth;
	call->arg = arg;
	call->cdr.queued_ms = (int64_t)acd_now_ms();
	call->seq = ++acd->queue_seq;

	return group_enter(call, group);
}


/**
 * Set a caller's priority (from the number or the IVR): higher is served
 * first, equal priorities first come first served.  Default 0.  May be
 * called before or after acd_call_queue; a waiting call moves at once.
 */
void acd_call_set_priority(struct acd_call *call, int priority)
{
	if (!call || call->priority == priority)
		return;

	call->priority = priority;

	if (call->qle.list) {
		queue_remove(call);
		queue_insert(call->acd, call);
		acd_dispatch_schedule(call->acd);
	}
}


void acd_call_ringing(struct acd_call *call)
{
	if (!call || call->state != ACD_CALL_RINGING)
		return;

	if (!call->cdr.ringing_ms)
		call->cdr.ringing_ms = (int64_t)acd_now_ms();
}


/* The ring set entry of this agent (NULL user_id: the only one) */
static size_t ring_index(const struct acd_call *call, const char *user_id)
{
	if (!user_id)
		return call->ringc == 1 ? 0 : call->ringc;

	for (size_t i = 0; i < call->ringc; i++) {
		if (0 == strcmp(call->ringv[i]->user_id, user_id))
			return i;
	}

	return call->ringc;
}


static struct acd_agent *ring_remove(struct acd_call *call, size_t i)
{
	struct acd_agent *ag = call->ringv[i];

	call->ringv[i] = call->ringv[--call->ringc];
	call->ringv[call->ringc] = NULL;
	ag->call = NULL;
	acd_route_update(ag);

	return ag;
}


/* Release every agent still ringing for this call, without a miss. */
static void ring_clear(struct acd_call *call)
{
	if (!call->ringc)
		return;

	while (call->ringc) {
		struct acd_agent *ag = ring_remove(call, call->ringc - 1);

		acd_agent_release(ag, false, 0);
	}

	tmr_cancel(&call->step_tmr);
	acd_dispatch_schedule(call->acd);   /* they are free again */
}


/**
 * An agent rung for this call did not take it.  When nobody rings any
 * more the call goes back to its place in the queue and the next agent
 * gets it.  After ACD_MAX_MISSES unanswered offers in a row the agent is
 * made notReady (an agent who walked away stops receiving calls).
 *
 * @param call       Call
 * @param user_id    The agent (NULL: the only agent rung)
 * @param no_answer  True for a ring timeout, false for a rejection
 */
void acd_call_offer_failed(struct acd_call *call, const char *user_id,
			   bool no_answer)
{
	struct acd_agent *ag;
	size_t i;

	if (!call || call->state != ACD_CALL_RINGING)
		return;

	i = ring_index(call, user_id);
	if (i >= call->ringc)
		return;

	ag = ring_remove(call, i);

	log_info("acd: agent %s did not take call %s (%s)", ag->user_id,
		 call->cdr.session_id, no_answer ? "no answer" : "rejected");

	if (call->triedc < ACD_MAX_TRIED && !acd_call_tried(call, ag->user_id))
		str_ncpy(call->tried[call->triedc++], ag->user_id,
			 sizeof(call->tried[0]));

	ag->idle_since = tmr_jiffies();   /* to the back */
	ag->offer_after = ag->idle_since + 1000ULL *
		(no_answer ? call->acd->cfg->no_answer_delay_s :
		 call->acd->cfg->reject_delay_s);
	acd_route_update(ag);
	if (no_answer && ++ag->misses >= ACD_MAX_MISSES &&
	    ag->pending == ACD_AGENT_OFFLINE && ag->reg_expires) {
		char why[ACD_REASON_SZ];

		(void)re_snprintf(why, sizeof(why), "%u calls not answered",
				  ag->misses);
		acd_agent_change(ag, ACD_AGENT_NOTREADY, why, "system");
	}
	else {
		acd_agent_release(ag, false, 0);
	}

	if (call->ringc) {
		acd_dispatch_schedule(call->acd);
		return;
	}

	/* Nobody rings: back to its place (priority and arrival kept). */
	tmr_cancel(&call->step_tmr);
	call->cdr.agent[0] = '\0';
	call->state = ACD_CALL_QUEUED;
	if (!call->qle.list)
		queue_insert(call->acd, call);

	acd_dispatch_schedule(call->acd);
}


/**
 * An agent answered: the call is theirs, the others rung stop ringing
 * (the front end cancels their legs).  user_id NULL: the only agent rung,
 * or the agent of an outbound call.
 */
void acd_call_answered(struct acd_call *call, const char *user_id)
{
	struct acd_agent *ag = NULL;
	size_t i;

	if (!call || call->state == ACD_CALL_TALKING ||
	    call->state == ACD_CALL_ENDED)
		return;

	i = ring_index(call, user_id);
	if (i < call->ringc) {
		ag = ring_remove(call, i);
		ag->call = call;
	}

	ring_clear(call);

	call->state = ACD_CALL_TALKING;
	call->cdr.answered_ms = (int64_t)acd_now_ms();
	tmr_cancel(&call->maxwait_tmr);
	queue_remove(call);

	if (ag) {
		call->agent = ag;
		str_ncpy(call->cdr.agent, ag->user_id,
			 sizeof(call->cdr.agent));
	}

	if (call->agent && call->cdr.direction == STORE_DIR_INBOUND) {
		call->agent->misses = 0;
		++call->agent->answered;   /* for fewest-calls */
		acd_agent_change(call->agent, ACD_AGENT_BUSY, "",
				 "system");
	}
	else if (call->agent) {
		++call->agent->answered;
	}

	if (call->agent)
		acd_route_update(call->agent);
}


struct callerid_ctx {
	struct acd *acd;
	const char *app;
	char *callerid;
	size_t sz;
	char group[STORE_NAME_SZ];
};


static void number_handler(const struct store_number *n, void *arg)
{
	struct callerid_ctx *ctx = arg;

	if (ctx->callerid[0] || strcmp(n->group, ctx->group))
		return;

	str_ncpy(ctx->callerid, n->number, ctx->sz);
}


static void member_callerid_handler(const struct store_member *m, void *arg)
{
	struct callerid_ctx *ctx = arg;

	if (ctx->callerid[0])
		return;

	str_ncpy(ctx->group, m->group, sizeof(ctx->group));
	(void)store_number_list(ctx->acd->st, ctx->app, number_handler, ctx);
}


/**
 * An agent places an outbound call: the agent becomes busy and the caller
 * id is a service number of the agent's first skill group that has one.
 *
 * @param call      Outbound call
 * @param user_id   The calling agent
 * @param callerid  Returned caller id
 * @param sz        Size of callerid
 *
 * @return 0 if success, ENOENT if the agent has no group with a number
 */
int acd_call_outbound(struct acd_call *call, const char *user_id,
		      char *callerid, size_t sz)
{
	struct callerid_ctx ctx;
	struct acd_agent *ag;
	int err;

	if (!call || !user_id || !callerid || !sz)
		return EINVAL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.acd = call->acd;
	ctx.app = call->cdr.sdk_app_id;
	ctx.callerid = callerid;
	ctx.sz = sz;
	callerid[0] = '\0';

	err = store_member_list_by_user(call->acd->st, call->cdr.sdk_app_id,
					user_id, member_callerid_handler,
					&ctx);
	if (err)
		return err;
	if (!callerid[0])
		return ENOENT;

	str_ncpy(call->cdr.agent, user_id, sizeof(call->cdr.agent));
	str_ncpy(call->cdr.group, ctx.group, sizeof(call->cdr.group));
	str_ncpy(call->cdr.caller, callerid, sizeof(call->cdr.caller));
	(void)store_group_get(call->acd->st, call->cdr.sdk_app_id, ctx.group,
			      &call->group);

	ag = acd_agent_find(call->acd, call->cdr.sdk_app_id, user_id);
	if (ag && !ag->call) {
		call->agent = ag;
		ag->call = call;
		acd_agent_call_out(ag);
		acd_route_update(ag);
	}

	return 0;
}


void acd_call_set_info(struct acd_call *call, const char *uui,
		       const char *remark)
{
	if (!call)
		return;

	if (uui)
		str_ncpy(call->cdr.uui, uui, sizeof(call->cdr.uui));
	if (remark)
		str_ncpy(call->cdr.remark, remark, sizeof(call->cdr.remark));
}


/**
 * The call is over: write its CDR and release its agent.
 *
 * @param call    Call
 * @param status  "answered", "abandoned", "timeout", "rejected", "failed"
 * @param side    Who ended it: "caller", "callee", "agent", "system"
 * @param scode   SIP status behind the end (0 for a normal BYE)
 */
void acd_call_end(struct acd_call *call, const char *status,
		  const char *side, uint16_t scode)
{
	struct acd_agent *ag;
	bool talked;
	int err;

	if (!call || call->state == ACD_CALL_ENDED)
		return;

	talked = call->state == ACD_CALL_TALKING;
	call->state = ACD_CALL_ENDED;
	tmr_cancel(&call->maxwait_tmr);
	queue_remove(call);
	ring_clear(call);

	call->cdr.ended_ms = (int64_t)acd_now_ms();
	str_ncpy(call->cdr.end_status, status, sizeof(call->cdr.end_status));
	str_ncpy(call->cdr.hangup_side, side, sizeof(call->cdr.hangup_side));
	call->cdr.end_scode = scode;
	if (call->cdr.answered_ms)
		call->cdr.duration_s = (uint32_t)((call->cdr.ended_ms -
						   call->cdr.answered_ms +
						   500) / 1000);

	err = store_cdr_add(call->acd->st, &call->cdr);
	if (err)
		log_error("acd: call %s: CDR not written: %m",
			  call->cdr.session_id, err);

	log_info("acd: call %s ended: %s by %s (%u), %us",
		 call->cdr.session_id, status, side, scode,
		 call->cdr.duration_s);

	ag = call->agent;
	call->agent = NULL;
	if (ag && talked && call->cdr.ended_ms > call->cdr.answered_ms)
		ag->talk_ms += (uint64_t)(call->cdr.ended_ms -
					  call->cdr.answered_ms);
	if (ag && ag->call == call) {
		/* A group's 0 is no after-call work (the API stores the
		 * server's default when a group is created without one). */
		uint32_t wrapup = call->group.name[0] ?
			call->group.wrapup_s : call->acd->cfg->wrapup_s;

		acd_agent_release(ag, talked, wrapup);
	}
	else if (ag) {
		acd_route_update(ag);    /* its talk time */
	}

	list_unlink(&call->le);
	acd_dispatch_schedule(call->acd);
}


static void step_handler(void *arg);


/* Ring one more agent for this call. */
static void ring(struct acd_call *call, struct acd_agent *ag)
{
	ag->call = call;
	call->ringv[call->ringc++] = ag;
	acd_route_update(ag);

	if (call->state != ACD_CALL_RINGING) {
		call->state = ACD_CALL_RINGING;
		str_ncpy(call->cdr.agent, ag->user_id,
			 sizeof(call->cdr.agent));
		queue_remove(call);
	}

	log_info("acd: call %s offered to agent %s", call->cdr.session_id,
		 ag->user_id);

	/* The handler may fail the offer at once (acd_call_offer_failed). */
	call->offerh(call, ag->user_id, ag->contact,
		     call->group.ring_timeout_s, call->arg);
}


/*
 * Offer a queued call as its group's strategy says; false if nobody.
 * *group_emptyp is set when the group has no free agent at all (not only
 * none this call has not tried yet): the calls behind it in the same
 * group need not look again in this dispatch run.  The group's strategy
 * is the one it has now (route.c loads it again when the API changes
 * it), also for callers who were waiting already.
 */
static bool offer(struct acd *acd, struct acd_call *call, bool *group_emptyp)
{
	struct acd_agent *ringv[ACD_MAX_RINGING];
	const struct acd_strategy *strat;
	struct acd_route rt;
	struct acd_agent *ag;
	bool offered = false;
	size_t n;

	*group_emptyp = false;

	if (acd_route_find(&rt, acd, call, true))
		return false;

	*group_emptyp = rt.empty;
	if (!rt.lvl)
		return false;

	strat = rt.grp->strat;

	if (strat->ring == ACD_RING_ALL) {
		/* Taken first: an offer may fail at once and change the
		 * level while we ring. */
		n = acd_route_list(&rt, call, ringv, ARRAY_SIZE(ringv));

		for (size_t i = 0; i < n; i++) {
			ag = ringv[i];

			if (call->state == ACD_CALL_ENDED ||
			    call->ringc >= ACD_MAX_RINGING)
				break;
			if (ag->call || ag->status != ACD_AGENT_FREE)
				continue;

			ring(call, ag);
			offered = true;
		}

		return offered;
	}

	ag = rt.last ? rt.last : strat->selecth(&rt, call, rand_u32(), true);
	if (!ag)
		return false;

	ring(call, ag);

	if (strat->ring == ACD_RING_PROGRESSIVE &&
	    call->state == ACD_CALL_RINGING)
		tmr_start(&call->step_tmr,
			  (call->group.ring_step_s ? call->group.ring_step_s :
			   5) * 1000ULL, step_handler, call);

	return true;
}


/* Ring-progressively: one more agent every ring_step_s while ringing,
 * in the group's order (longest idle). */
static void step_handler(void *arg)
{
	struct acd_call *call = arg;
	struct acd_route rt;
	struct acd_agent *ag;

	if (call->state != ACD_CALL_RINGING)
		return;

	tmr_start(&call->step_tmr, (call->group.ring_step_s ?
				    call->group.ring_step_s : 5) * 1000ULL,
		  step_handler, call);

	if (call->ringc >= ACD_MAX_RINGING)
		return;

	if (acd_route_find(&rt, call->acd, call, true) || !rt.lvl)
		return;

	ag = rt.grp->strat->selecth(&rt, call, rand_u32(), true);
	if (ag)
		ring(call, ag);
}


/* The first call of a group's queue that waits (not ringing) */
static struct acd_call *group_head(const struct acd_group *grp)
{
	for (struct le *le = grp->queue.head; le; le = le->next) {
		struct acd_call *call = le->data;

		if (call->state == ACD_CALL_QUEUED)
			return call;
	}

	return NULL;
}


/*
 * Offer the call served first among those whose group has a free agent
 * now: the heads of the groups' queues, compared.  One call per run:
 * handlers may change the queues; the next run starts again.  A group
 * whose head could not be offered (no memory) is passed over in this
 * run, so that the others are still served.
 */
static void dispatch_handler(void *arg)
{
	struct acd *acd = arg;
	const struct acd_group *passv[16];
	size_t passc = 0;

	acd_route_promote(acd);

	for (;;) {
		struct acd_group *best_grp = NULL;
		struct acd_call *best = NULL;
		bool empty;

		for (struct le *le = acd->waiting.head; le; le = le->next) {
			struct acd_group *grp = le->data;
			struct acd_call *head = group_head(grp);
			bool passed = false;

			for (size_t i = 0; i < passc; i++)
				passed |= passv[i] == grp;

			if (!head || passed || !acd_route_has_free(grp))
				continue;

			if (!best || served_before(head, best)) {
				best = head;
				best_grp = grp;
			}
		}

		if (!best)
			return;

		if (offer(acd, best, &empty)) {
			acd_dispatch_schedule(acd);
			return;
		}

		if (passc == ARRAY_SIZE(passv))
			return;
		passv[passc++] = best_grp;
	}
}


void acd_dispatch_schedule(struct acd *acd)
{
	if (acd && !tmr_isrunning(&acd->dispatch_tmr))
		tmr_start(&acd->dispatch_tmr, 0, dispatch_handler, acd);
}


int acd_calls_print(struct re_printf *pf, const struct acd *acd,
		    const char *app)
{
	bool first = true;
	struct le *le;
	int err;

	err = re_hprintf(pf, "\"calls\":[");

	for (le = acd->calls.head; le; le = le->next) {
		const struct acd_call *call = le->data;
		bool in = call->cdr.direction == STORE_DIR_INBOUND;
		char caller[sizeof(call->cdr.caller)];
		char callee[sizeof(call->cdr.callee)];

		if (strcmp(call->cdr.sdk_app_id, app))
			continue;

		/* The customer's number is personal data: masked. */
		str_ncpy(caller, call->cdr.caller, sizeof(caller));
		str_ncpy(callee, call->cdr.callee, sizeof(callee));
		if (mask_phone(in ? caller : callee, sizeof(caller),
			       in ? call->cdr.caller : call->cdr.callee))
			(in ? caller : callee)[0] = '\0';

		err |= re_hprintf(pf, "%s{\"session_id\":\"%s\","
				  "\"direction\":\"%s\",\"state\":\"%s\","
				  "\"caller\":%H,\"callee\":%H,"
				  "\"group\":%H,\"agent\":%H,"
				  "\"since_ms\":%llu}",
				  first ? "" : ",",
				  call->cdr.session_id,
				  in ? "inbound" : "outbound",
				  acd_call_state_str(call->state),
				  jsonw_str, caller,
				  jsonw_str, callee,
				  jsonw_str, call->cdr.group,
				  jsonw_str, call->cdr.agent,
				  call->since_ms);
		first = false;
	}

	err |= re_hprintf(pf, "]");

	return err;
}
