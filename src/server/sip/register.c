/**
 * @file sip/register.c  Registrar (RFC 3261 10)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One contact per agent: a new registration replaces the old one, as an
 * agent works from one phone or one SDK instance at a time.  Expiry is
 * clamped to the configured maximum and honoured by the ACD's tick.
 *
 * Over TCP and TLS the contact kept is the connection the REGISTER came
 * on (its source address, the transport named), not the address in the
 * Contact header: the agent's calls then go down the connection it
 * opened and keeps open, as RFC 5626 does with flows.  A client behind
 * NAT or without a listening socket (the SDK over TLS has no certificate
 * to accept connections with) is reached so.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "common/media_sdp.h"
#include "media/media.h"
#include "acd/acd.h"
#include "sip/sipint.h"


enum {
	MIN_EXPIRES_S = 30,
};


struct contact_ctx {
	struct sip_addr addr;
	bool found;
	bool star;
	uint32_t expires;
	bool has_expires;
};


/*
 * delta-seconds (RFC 3261 20.19, 25.1): digits only.  libre's pl_u32()
 * reads "-1" as 0 and 4294967296 as 0 too, which would have removed the
 * binding; a malformed value means 3600 (RFC 3261 20.19) and one past
 * 2^32-1 the largest (then clamped to the configured maximum).
 */
static uint32_t expires_decode(const struct pl *pl)
{
	uint64_t v = 0;
	size_t i;

	if (!pl->l)
		return 3600;

	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return 3600;
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(pl->p[i] - '0');
	}

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}


static bool contact_handler(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	struct contact_ctx *ctx = arg;
	struct pl expires;
	(void)msg;

	if (ctx->found)
		return true;

	if (!pl_strcmp(&hdr->val, "*")) {
		ctx->star = true;
		ctx->found = true;
		return true;
	}

	if (sip_addr_decode(&ctx->addr, &hdr->val))
		return false;

	if (0 == msg_param_decode(&ctx->addr.params, "expires", &expires)) {
		ctx->expires = expires_decode(&expires);
		ctx->has_expires = true;
	}

	ctx->found = true;
	return true;
}


/**
 * Handle a REGISTER: authenticate, then bind, refresh or remove.
 */
void registrar_handle(struct sipfront *sf, const struct sip_msg *msg)
{
	struct sip_identity id;
	struct contact_ctx ctx;
	char contact[STORE_URI_SZ];
	uint32_t expires;
	int err;

	if (sipauth_agent(sf, msg, &id))
		return;

	memset(&ctx, 0, sizeof(ctx));
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler,
				&ctx);

	/* No Contact: a query of the current bindings. */
	if (!ctx.found) {
		(void)sip_reply(sf->sip, msg, 200, "OK");
		return;
	}

	if (ctx.has_expires)
		expires = ctx.expires;
	else if (pl_isset(&msg->expires))
		expires = expires_decode(&msg->expires);
	else
		expires = 3600;

	if (ctx.star || expires == 0) {
		(void)acd_agent_unregister(sf->acd, id.app, id.user_id);
		log_info("sip: agent %s unregistered", id.user_id);
		(void)sip_reply(sf->sip, msg, 200, "OK");
		return;
	}

	if (expires < MIN_EXPIRES_S) {
		(void)sip_replyf(sf->sip, msg, 423, "Interval Too Brief",
				 "Min-Expires: %u\r\n"
				 "Content-Length: 0\r\n\r\n", MIN_EXPIRES_S);
		return;
	}

	if (expires > sf->cfg->reg_max_expires_s)
		expires = sf->cfg->reg_max_expires_s;

	if (ctx.addr.auri.l >= sizeof(contact)) {
		(void)sip_reply(sf->sip, msg, 400, "Contact Too Long");
		return;
	}
	if (msg->tp == SIP_TRANSP_TCP || msg->tp == SIP_TRANSP_TLS) {
		if (sipfront_flow_uri(contact, sizeof(contact),
				      &ctx.addr.uri.user, msg)) {
			(void)sip_reply(sf->sip, msg, 400, "Contact Too Long");
			return;
		}
	}
	else {
		(void)pl_strcpy(&ctx.addr.auri, contact, sizeof(contact));
	}

	err = acd_agent_register(sf->acd, id.app, id.user_id, contact,
				 sip_transp_name(msg->tp), &msg->src,
				 expires);
	if (err) {
		log_warn("sip: registration of %s failed: %m", id.user_id,
			 err);
		(void)sip_reply(sf->sip, msg, 500, "Server Internal Error");
		return;
	}

	log_info("sip: agent %s registered from %J over %s for %us",
		 id.user_id, &msg->src, sip_transp_name(msg->tp), expires);

	(void)sip_replyf(sf->sip, msg, 200, "OK",
			 "Contact: <%r>;expires=%u\r\n"
			 "Content-Length: 0\r\n\r\n",
			 &ctx.addr.auri, expires);
}
