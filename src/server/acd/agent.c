/**
 * @file acd/agent.c  Agents: registration, status, after-call work
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An agent object exists for every staff member who has registered since
 * the start (or whose stored registration was still valid at start-up).
 * It is kept when the registration ends, with the status offline, so that
 * a call in progress never points to freed memory.
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


uint64_t acd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


static uint32_t agent_key(const char *app, const char *user_id)
{
	return hash_joaat_str(app) ^ hash_joaat_str(user_id);
}


struct agent_match {
	const char *app;
	const char *user_id;
};


static bool agent_cmp_handler(struct le *le, void *arg)
{
	const struct acd_agent *ag = le->data;
	const struct agent_match *m = arg;

	return 0 == strcmp(ag->app, m->app) &&
		0 == strcmp(ag->user_id, m->user_id);
}


struct acd_agent *acd_agent_find(const struct acd *acd, const char *app,
				 const char *user_id)
{
	struct agent_match m = {app, user_id};
	struct le *le;

	if (!acd || !app || !user_id)
		return NULL;

	le = hash_lookup(acd->agents, agent_key(app, user_id),
			 agent_cmp_handler, &m);

	return le ? le->data : NULL;
}


static void agent_destructor(void *arg)
{
	struct acd_agent *ag = arg;

	tmr_cancel(&ag->wrapup_tmr);
	acd_route_agent_detach(ag);
	hash_unlink(&ag->he);
}


int acd_agent_alloc(struct acd_agent **agp, struct acd *acd,
		    const char *app, const char *user_id)
{
	struct acd_agent *ag;
	int err;

	if (strlen(app) >= sizeof(ag->app) ||
	    strlen(user_id) >= sizeof(ag->user_id))
		return EINVAL;

	ag = mem_zalloc(sizeof(*ag), agent_destructor);
	if (!ag)
		return ENOMEM;

	ag->acd = acd;
	str_ncpy(ag->app, app, sizeof(ag->app));
	str_ncpy(ag->user_id, user_id, sizeof(ag->user_id));
	ag->status = ACD_AGENT_OFFLINE;
	ag->pending = ACD_AGENT_OFFLINE;
	ag->since_ms = acd_now_ms();
	tmr_init(&ag->wrapup_tmr);
	list_init(&ag->members);

	hash_append(acd->agents, agent_key(app, user_id), &ag->he, ag);

	/* Without its memberships the agent would never be offered a call
	 * of a group already loaded: no agent rather than a deaf one. */
	err = acd_route_agent_attach(ag);
	if (err) {
		mem_deref(ag);
		return err;
	}

	*agp = ag;
	return 0;
}


static void agent_bind(struct acd_agent *ag, const char *contact,
		       const char *transport, const struct sa *source,
		       int64_t expires)
{
	if (strcmp(ag->contact, contact))
		ag->notes_refused = false;

	str_ncpy(ag->contact, contact, sizeof(ag->contact));
	str_ncpy(ag->transport, transport ? transport : "udp",
		 sizeof(ag->transport));
	if (source)
		ag->source = *source;
	ag->reg_expires = expires;

	/* A login makes an agent free; a refresh changes nothing (an agent
	 * made notReady by missed calls stays so until asked otherwise). */
	if (ag->status == ACD_AGENT_OFFLINE) {
		ag->misses = 0;
		acd_agent_change(ag, ag->call ? ACD_AGENT_BUSY :
				 ACD_AGENT_FREE, "registered", "system");
	}

	acd_route_update(ag);    /* its contact */
}


/**
 * Bind an agent to a registered contact (and store it, so that a restart
 * of the server finds the agent without waiting for a re-registration).
 *
 * @return 0 if success, otherwise errorcode
 */
int acd_agent_register(struct acd *acd, const char *app, const char *user_id,
		       const char *contact, const char *transport,
		       const struct sa *source, uint32_t expires_s)
{
	struct store_reg reg;
	struct acd_agent *ag;
	int err;

	if (!acd || !app || !user_id || !contact)
		return EINVAL;

	if (!expires_s)
		return acd_agent_unregister(acd, app, user_id);

	memset(&reg, 0, sizeof(reg));
	if (strlen(contact) >= sizeof(reg.contact))
		return EINVAL;

	str_ncpy(reg.sdk_app_id, app, sizeof(reg.sdk_app_id));
	str_ncpy(reg.user_id, user_id, sizeof(reg.user_id));
	str_ncpy(reg.contact, contact, sizeof(reg.contact));
	str_ncpy(reg.transport, transport ? transport : "udp",
		 sizeof(reg.transport));
	if (source)
		(void)re_snprintf(reg.source, sizeof(reg.source), "%J",
				  source);
	reg.expires = (int64_t)time(NULL) + expires_s;

	err = store_reg_set(acd->st, &reg);
	if (err)
		return err;

	ag = acd_agent_find(acd, app, user_id);
	if (!ag) {
		err = acd_agent_alloc(&ag, acd, app, user_id);
		if (err)
			return err;
	}

	agent_bind(ag, contact, transport, source, reg.expires);

	return 0;
}


int acd_agent_unregister(struct acd *acd, const char *app,
			 const char *user_id)
{
	struct acd_agent *ag;

	if (!acd || !app || !user_id)
		return EINVAL;

	(void)store_reg_delete(acd->st, app, user_id);

	ag = acd_agent_find(acd, app, user_id);
	if (!ag)
		return 0;

	ag->reg_expires = 0;
	ag->contact[0] = '\0';
	acd_route_update(ag);
	if (!ag->call && ag->status != ACD_AGENT_ARRANGE)
		acd_agent_change(ag, ACD_AGENT_OFFLINE, "unregistered",
				 "system");

	return 0;
}


enum acd_agent_status acd_agent_status(const struct acd *acd,
				       const char *app, const char *user_id)
{
	const struct acd_agent *ag = acd_agent_find(acd, app, user_id);

	return ag ? ag->status : ACD_AGENT_OFFLINE;
}


static void reg_load_handler(const struct store_reg *r, void *arg)
{
	struct acd *acd = arg;
	struct acd_agent *ag;
	struct sa src;

	if (r->expires <= (int64_t)time(NULL))
		return;

	/* A registration over TCP or TLS is bound to its connection
	 * (sip/register.c), which a restart closed: the agent is offline
	 * until its client reconnects and registers again. */
	if (!strcasecmp(r->transport, "tcp") || !strcasecmp(r->transport,
							     "tls"))
		return;

	ag = acd_agent_find(acd, r->sdk_app_id, r->user_id);
	if (!ag && acd_agent_alloc(&ag, acd, r->sdk_app_id, r->user_id))
		return;

	if (sa_decode(&src, r->source, strlen(r->source)))
		sa_init(&src, AF_UNSPEC);

	agent_bind(ag, r->contact, r->transport, &src, r->expires);
}


/**
 * Load the registrations that are still valid (after a restart, agents are
 * reachable at once; they re-register on their own schedule).
 */
int acd_agents_load(struct acd *acd)
{
	return store_reg_list(acd->st, reg_load_handler, acd);
}


static bool expire_handler(struct le *le, void *arg)
{
	struct acd_agent *ag = le->data;
	const int64_t *now = arg;

	if (ag->reg_expires && ag->reg_expires <= *now) {
		log_info("acd: registration of agent %s expired",
			 ag->user_id);
		(void)acd_agent_unregister(ag->acd, ag->app, ag->user_id);
	}

	return false;
}


void acd_agents_expire(struct acd *acd, int64_t now)
{
	(void)hash_apply(acd->agents, expire_handler, &now);
}


struct print_ctx {
	struct re_printf *pf;
	const struct acd *acd;
	const char *app;
	bool first;
	int err;
};


static void staff_print_handler(const struct store_staff *s, void *arg)
{
	struct print_ctx *ctx = arg;
	const struct acd_agent *ag = acd_agent_find(ctx->acd, ctx->app,
						    s->user_id);
	enum acd_agent_status st = ag ? ag->status : ACD_AGENT_OFFLINE;

	ctx->err |= re_hprintf(ctx->pf, "%s{\"user_id\":%H,\"name\":%H,"
			       "\"status\":\"%s\",\"since_ms\":%llu,"
			       "\"registered\":%s,\"call_id\":%H}",
			       ctx->first ? "" : ",",
			       jsonw_str, s->user_id,
			       jsonw_str, s->name,
			       acd_agent_status_str(st),
			       ag ? ag->since_ms : 0ULL,
			       ag && ag->reg_expires ? "true" : "false",
			       jsonw_str,
			       ag && ag->call ? ag->call->cdr.session_id :
			       "");
	ctx->first = false;
}


int acd_agents_print(struct re_printf *pf, const struct acd *acd,
		     const char *app)
{
	struct print_ctx ctx = {pf, acd, app, true, 0};
	int err;

	err = re_hprintf(pf, "\"agents\":[");
	err |= store_staff_list(acd->st, app, staff_print_handler, &ctx);
	err |= ctx.err;
	err |= re_hprintf(pf, "]");

	return err;
}
