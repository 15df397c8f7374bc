/**
 * @file acd/status.c  Agent statuses: TCCC's model, its history, requests
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: one function changes a status, acd_agent_change(); it stores
 * the new state and the change in one transaction, logs one line and
 * tells the status handler.  Nothing else assigns ag->status (the restore
 * at start-up sets what the store already holds).
 *
 *   offline   not registered
 *   free      offered inbound calls
 *   busy      in a call (inbound answered, or calling out)
 *   arrange   after-call work for the group's wrap-up time; the agent may
 *             end it early (free) or extend it
 *   notReady  no inbound calls (may call out); also after missed offers
 *   rest      no inbound calls, with a reason from the app's list
 *
 * While an agent has a call (ringing or connected) a requested status is
 * reserved ("pending") and takes effect when the call and its after-call
 * work are over.  An agent who calls out from notReady or rest returns to
 * it afterwards the same way.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


static const char actor_system[] = "system";

/* Indexed by enum acd_agent_status */
static const char *const status_names[] = {
	"offline", "free", "busy", "arrange", "notReady", "rest",
};


const char *acd_agent_status_str(enum acd_agent_status status)
{
	if ((size_t)status < ARRAY_SIZE(status_names))
		return status_names[status];

	return "?";
}


/**
 * Parse a status name as the API and the SDK send it
 *
 * @return 0 if success, EINVAL if the name is unknown
 */
int acd_agent_status_parse(const char *s, enum acd_agent_status *statusp)
{
	if (!s || !statusp)
		return EINVAL;

	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++) {
		if (0 == strcmp(s, status_names[i])) {
			*statusp = (enum acd_agent_status)i;
			return 0;
		}
	}

	return EINVAL;
}


void acd_status_handler_set(struct acd *acd, acd_status_h *h, void *arg)
{
	if (!acd)
		return;

	acd->statush = h;
	acd->statush_arg = arg;
}


/* Store the agent's state (and the change, when c is set); tell the
 * handler.  A failed write is logged: the live status is the truth. */
static void publish(struct acd_agent *ag, enum acd_agent_status from,
		    const char *actor, bool changed)
{
	struct acd *acd = ag->acd;
	struct store_agent_state s;
	struct store_status_change c;
	struct acd_status_event ev;
	int err;

	memset(&s, 0, sizeof(s));
	str_ncpy(s.sdk_app_id, ag->app, sizeof(s.sdk_app_id));
	str_ncpy(s.user_id, ag->user_id, sizeof(s.user_id));
	str_ncpy(s.status, acd_agent_status_str(ag->status), sizeof(s.status));
	str_ncpy(s.reason, ag->reason, sizeof(s.reason));
	s.since_ms = (int64_t)ag->since_ms;
	if (ag->pending != ACD_AGENT_OFFLINE)
		str_ncpy(s.pending, acd_agent_status_str(ag->pending),
			 sizeof(s.pending));
	str_ncpy(s.pending_reason, ag->pending_reason,
		 sizeof(s.pending_reason));

	memset(&c, 0, sizeof(c));
	str_ncpy(c.sdk_app_id, ag->app, sizeof(c.sdk_app_id));
	str_ncpy(c.user_id, ag->user_id, sizeof(c.user_id));
	str_ncpy(c.from, acd_agent_status_str(from), sizeof(c.from));
	str_ncpy(c.to, s.status, sizeof(c.to));
	str_ncpy(c.reason, ag->reason, sizeof(c.reason));
	str_ncpy(c.actor, actor, sizeof(c.actor));
	c.at_ms = (int64_t)ag->since_ms;

	err = store_agent_state_set(acd->st, &s, changed ? &c : NULL);
	if (err)
		log_warn("acd: agent %s: status not stored: %m", ag->user_id,
			 err);

	if (!acd->statush)
		return;

	memset(&ev, 0, sizeof(ev));
	ev.app = ag->app;
	ev.user_id = ag->user_id;
	ev.from = from;
	ev.to = ag->status;
	ev.reason = ag->reason;
	ev.actor = actor;
	ev.pending = ag->pending;
	ev.pending_reason = ag->pending_reason;
	ev.at_ms = changed ? ag->since_ms : acd_now_ms();

	acd->statush(&ev, acd->statush_arg);
}


static void wrapup_handler(void *arg);


/**
 * Change an agent's status; the one place that does.
 *
 * @param ag      Agent
 * @param to      New status
 * @param reason  Rest reason, or why (may be NULL)
 * @param actor   "system", "agent" or a supervisor's SecretId
 */
void acd_agent_change(struct acd_agent *ag, enum acd_agent_status to,
		      const char *reason, const char *actor)
{
	enum acd_agent_status from = ag->status;

	if (!reason)
		reason = "";

	if (from == to && 0 == strcmp(ag->reason, reason))
		return;

	log_info("acd: agent %s %s -> %s%s%s (%s)", ag->user_id,
		 acd_agent_status_str(from), acd_agent_status_str(to),
		 reason[0] ? ": " : "", reason, actor);

	ag->status = to;
	str_ncpy(ag->reason, reason, sizeof(ag->reason));
	str_ncpy(ag->actor, actor, sizeof(ag->actor));
	ag->since_ms = acd_now_ms();

	if (to != ACD_AGENT_ARRANGE) {
		tmr_cancel(&ag->wrapup_tmr);
		ag->arrange_until_ms = 0;
	}

	if (to == ACD_AGENT_OFFLINE) {
		ag->pending = ACD_AGENT_OFFLINE;
		ag->pending_reason[0] = '\0';
	}

	publish(ag, from, actor, true);

	if (to == ACD_AGENT_FREE) {
		ag->idle_since = tmr_jiffies();
		acd_dispatch_schedule(ag->acd);
	}

	acd_route_update(ag);
}


static void arrange_start(struct acd_agent *ag, uint32_t seconds,
			  const char *actor)
{
	ag->arrange_until_ms = acd_now_ms() + seconds * 1000ULL;
	tmr_start(&ag->wrapup_tmr, seconds * 1000ULL, wrapup_handler, ag);
	acd_agent_change(ag, ACD_AGENT_ARRANGE, "", actor);
}


/* The call and its after-call work are over: the reserved status, or
 * free. */
static void settle(struct acd_agent *ag, const char *reason)
{
	enum acd_agent_status to = ag->pending;
	char why[ACD_REASON_SZ];

	if (to == ACD_AGENT_OFFLINE) {
		acd_agent_change(ag, ACD_AGENT_FREE, reason, actor_system);
		return;
	}

	str_ncpy(why, ag->pending_reason, sizeof(why));
	ag->pending = ACD_AGENT_OFFLINE;
	ag->pending_reason[0] = '\0';
	acd_agent_change(ag, to, why, actor_system);
}


static void wrapup_handler(void *arg)
{
	struct acd_agent *ag = arg;

	if (ag->status != ACD_AGENT_ARRANGE)
		return;

	if (!ag->reg_expires)
		acd_agent_change(ag, ACD_AGENT_OFFLINE, "registration ended",
				 actor_system);
	else
		settle(ag, "wrap-up ended");
}


/**
 * A call of this agent is over, or an offer failed: after-call work if
 * they talked, then the reserved status or free.
 */
void acd_agent_release(struct acd_agent *ag, bool talked, uint32_t wrapup_s)
{
	ag->call = NULL;

	if (!ag->reg_expires)
		acd_agent_change(ag, ACD_AGENT_OFFLINE, "registration ended",
				 actor_system);
	else if (ag->status == ACD_AGENT_BUSY && talked && wrapup_s)
		arrange_start(ag, wrapup_s, actor_system);
	else if (ag->status == ACD_AGENT_BUSY ||
		 ag->pending != ACD_AGENT_OFFLINE)
		settle(ag, "call ended");

	/* (a ringing agent released stays free: free to route again) */
	acd_route_update(ag);
}


/**
 * The agent calls out: busy, and back to notReady or rest afterwards if
 * that is where they called from.
 */
void acd_agent_call_out(struct acd_agent *ag)
{
	if ((ag->status == ACD_AGENT_NOTREADY ||
	     ag->status == ACD_AGENT_REST) &&
	    ag->pending == ACD_AGENT_OFFLINE) {
		ag->pending = ag->status;
		str_ncpy(ag->pending_reason, ag->reason,
			 sizeof(ag->pending_reason));
	}

	acd_agent_change(ag, ACD_AGENT_BUSY, "calling out", actor_system);
}


static bool in_csv(const char *csv, const char *name)
{
	size_t n = strlen(name);

	while (*csv) {
		const char *end = strchr(csv, ',');
		size_t len = end ? (size_t)(end - csv) : strlen(csv);

		if (len == n && 0 == memcmp(csv, name, n))
			return true;
		if (!end)
			break;
		csv = end + 1;
	}

	return false;
}


/* A reason is shown to supervisors and stored: printable, short. */
static bool reason_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return false;
	}

	return n < ACD_REASON_SZ;
}


static int reason_check(struct acd *acd, const char *app,
			enum acd_agent_status to, const char *reason)
{
	char csv[STORE_REST_REASONS_SZ];
	int err;

	if (!reason_ok(reason))
		return EINVAL;

	if (to != ACD_AGENT_REST)
		return 0;

	if (!reason[0])
		return EINVAL;

	err = store_rest_reasons_get(acd->st, app, csv, sizeof(csv));
	if (err)
		return err;

	return in_csv(csv, reason) ? 0 : EINVAL;
}


/**
 * Ask for a status on behalf of the agent or a supervisor (see acd.h).
 *
 * @param acd         ACD
 * @param app         SdkAppId
 * @param user_id     The agent
 * @param to          free, notReady, rest or arrange
 * @param reason      Rest reason (required for rest), or a note
 * @param arrange_s   For arrange: seconds to start or extend it by
 * @param after_call  Reserve the status for after the current call
 * @param actor       "agent" or the supervisor's SecretId
 * @param pendingp    Optional: true if reserved rather than applied
 *
 * @return 0 if success, EINVAL not allowed, ENOENT no such staff member,
 *         ENOTCONN the agent is offline
 */
int acd_agent_status_request(struct acd *acd, const char *app,
			     const char *user_id, enum acd_agent_status to,
			     const char *reason, uint32_t arrange_s,
			     bool after_call, const char *actor,
			     bool *pendingp)
{
	struct acd_agent *ag;
	uint64_t now, left;
	bool busy;
	int err;

	if (!acd || !app || !user_id || !actor)
		return EINVAL;
	if (!reason)
		reason = "";
	if (pendingp)
		*pendingp = false;

	switch (to) {

	case ACD_AGENT_FREE:
	case ACD_AGENT_NOTREADY:
	case ACD_AGENT_REST:
		break;

	case ACD_AGENT_ARRANGE:
		if (!arrange_s || arrange_s > 3600 || after_call)
			return EINVAL;
		break;

	default:
		return EINVAL;
	}

	err = reason_check(acd, app, to, reason);
	if (err)
		return err;

	ag = acd_agent_find(acd, app, user_id);
	if (!ag || ag->status == ACD_AGENT_OFFLINE) {
		struct store_staff s;

		err = store_staff_get(acd->st, app, user_id, &s);
		return err ? err : ENOTCONN;
	}

	busy = ag->call != NULL;

	if (to == ACD_AGENT_ARRANGE) {
		if (busy)
			return EINVAL;   /* the wrap-up follows the call */

		if (ag->status != ACD_AGENT_ARRANGE) {
			arrange_start(ag, arrange_s, actor);
			return 0;
		}

		/* extend: the wrap-up ends arrange_s later than planned */
		now = acd_now_ms();
		left = ag->arrange_until_ms > now ?
			ag->arrange_until_ms - now : 0;

		left += arrange_s * 1000ULL;
		ag->arrange_until_ms = now + left;
		tmr_start(&ag->wrapup_tmr, left, wrapup_handler, ag);
		log_info("acd: agent %s: after-call work extended by %us (%s)",
			 ag->user_id, arrange_s, actor);
		publish(ag, ag->status, actor, false);
		return 0;
	}

	/* During a call, or asked for after the wrap-up: reserve it (free
	 * cancels a reservation). */
	if (busy || (after_call && ag->status == ACD_AGENT_ARRANGE)) {
		bool clear = to == ACD_AGENT_FREE;

		ag->pending = clear ? ACD_AGENT_OFFLINE : to;
		str_ncpy(ag->pending_reason, clear ? "" : reason,
			 sizeof(ag->pending_reason));
		log_info("acd: agent %s: %s reserved for after the call (%s)",
			 ag->user_id, acd_agent_status_str(to), actor);
		publish(ag, ag->status, actor, false);
		if (pendingp)
			*pendingp = !clear;
		return 0;
	}

	/* Free from arrange ends the wrap-up early; anything else at once. */
	acd_agent_change(ag, to, reason, actor);

	return 0;
}


/**
 * What is known of one agent now; an agent never seen is offline
 */
int acd_agent_info(const struct acd *acd, const char *app,
		   const char *user_id, struct acd_agent_info *info)
{
	const struct acd_agent *ag;

	if (!acd || !app || !user_id || !info)
		return EINVAL;

	memset(info, 0, sizeof(*info));
	info->status = ACD_AGENT_OFFLINE;
	info->pending = ACD_AGENT_OFFLINE;

	ag = acd_agent_find(acd, app, user_id);
	if (!ag)
		return 0;

	info->status = ag->status;
	str_ncpy(info->reason, ag->reason, sizeof(info->reason));
	info->since_ms = ag->since_ms;
	info->registered = ag->reg_expires != 0;
	info->pending = ag->pending;
	str_ncpy(info->pending_reason, ag->pending_reason,
		 sizeof(info->pending_reason));
	info->arrange_until_ms = ag->arrange_until_ms;
	if (ag->call)
		str_ncpy(info->call_id, ag->call->cdr.session_id,
			 sizeof(info->call_id));
	str_ncpy(info->actor, ag->actor, sizeof(info->actor));
	info->notes_refused = ag->notes_refused;
	if (ag->reg_expires)
		str_ncpy(info->contact, ag->contact, sizeof(info->contact));

	return 0;
}


void acd_agent_notes_refused(struct acd *acd, const char *app,
			     const char *user_id, const char *contact)
{
	struct acd_agent *ag = acd_agent_find(acd, app, user_id);

	if (ag && contact && 0 == strcmp(ag->contact, contact))
		ag->notes_refused = true;
}


/*
 * Restore at start-up: the stored state of every agent.  Calls did not
 * survive the restart, so busy and arrange are settled (the reserved
 * status, or free); acd_agents_settle_restored() does that once the
 * registrations are loaded too.
 */
static void state_load_handler(const struct store_agent_state *s, void *arg)
{
	struct acd *acd = arg;
	struct acd_agent *ag;
	enum acd_agent_status st, pending = ACD_AGENT_OFFLINE;

	if (acd_agent_status_parse(s->status, &st))
		return;
	if (s->pending[0] && acd_agent_status_parse(s->pending, &pending))
		pending = ACD_AGENT_OFFLINE;

	ag = acd_agent_find(acd, s->sdk_app_id, s->user_id);
	if (!ag && acd_agent_alloc(&ag, acd, s->sdk_app_id, s->user_id))
		return;

	ag->status = st;
	str_ncpy(ag->reason, s->reason, sizeof(ag->reason));
	ag->since_ms = (uint64_t)s->since_ms;
	ag->pending = pending;
	str_ncpy(ag->pending_reason, s->pending_reason,
		 sizeof(ag->pending_reason));
	acd_route_update(ag);
}


int acd_agents_restore(struct acd *acd)
{
	return store_agent_state_list(acd->st, state_load_handler, acd);
}


static bool settle_restored_handler(struct le *le, void *arg)
{
	struct acd_agent *ag = le->data;
	(void)arg;

	if (!ag->reg_expires) {
		if (ag->status != ACD_AGENT_OFFLINE)
			acd_agent_change(ag, ACD_AGENT_OFFLINE,
					 "server restarted", actor_system);
		return false;
	}

	/* (A registered agent restored offline was made free by
	 * agent_bind when its registration was loaded.) */
	if (ag->status == ACD_AGENT_BUSY || ag->status == ACD_AGENT_ARRANGE)
		settle(ag, "server restarted");

	return false;
}


void acd_agents_settle_restored(struct acd *acd)
{
	(void)hash_apply(acd->agents, settle_restored_handler, NULL);
}
