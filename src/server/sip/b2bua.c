/**
 * @file sip/b2bua.c  Back-to-back user agent: one call, two SIP legs
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: leg A is the session that reached us (the customer, or an agent
 * calling out), leg B the one we place (to the agent, or to the trunk).
 * Media is anchored in a relay with one port pair per leg.
 *
 *  Inbound:  A is answered at once with the first codec of its offer that
 *            we relay, and hears the queue tone; the ACD offers the call to
 *            agents one at a time (B with that codec only); when an agent
 *            answers, the tone stops and the relay bridges the legs.
 *  Outbound: B is offered every codec of A's offer that we relay; B's
 *            180 is passed to A; A is answered with the codec B chose.
 *
 * A b2bua_call lives in sf->calls until call_end(), which is the only way
 * out: it writes the CDR (through the ACD), hangs up both legs and frees.
 *
 * Number masking (TCCC's number mapping): for a skill group with
 * mask_numbers, the INVITE to the agent shows the customer's number
 * masked as the display name and an opaque reference ("r" + 16 hex, in
 * the store's number_refs) as the user part, never the number itself.
 * When the agent calls that reference, outbound_start maps it back to the
 * number before the call goes to the trunk.  The CDR keeps the real
 * number: it is the operator's record, and erasure handles it.
 *
 * SRTP (SDES): a leg whose SIP runs over TLS carries keys that only the
 * two ends can read, so its media is SRTP.  Agents registered over TLS
 * are offered RTP/SAVP with a key of the call's; an offer that is
 * RTP/SAVP (an SDK calling out) is answered so.  The relay decrypts and
 * encrypts at that leg's sockets; the other leg (a trunk, a desk phone)
 * stays as it was offered.  A re-INVITE must keep its key: a new key
 * would need a new one of ours too (an SRTP key must never restart its
 * packet index), and no client of ours changes keys mid-call.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "common/media_sdp.h"
#include "media/media.h"
#include "acd/acd.h"
#include "sip/sipint.h"


/* One INVITE we placed: to an agent being rung, or to the trunk */
struct b_leg {
	struct le le;                  /* in call->legs */
	struct b2bua_call *call;
	struct sipsess *sess;
	struct tmr ring_tmr;
	struct sa raddr;               /* media address of its answer */
	struct media_crypto rkey;      /* its SRTP key, if srtp */
	bool srtp;                     /* offered RTP/SAVP */
	char user_id[STORE_ID_SZ];     /* the agent; "" for the trunk */
};

struct b2bua_call {
	struct le le;
	struct sipfront *sf;
	struct acd_call *acall;
	struct sipsess *a;
	struct list legs;              /* B legs ringing; the answered one */
	struct b_leg *b;               /* the answered B leg, or NULL */
	struct relay *relay;
	struct sip_ivr *ivr;           /* while the caller is in the IVR */
	struct waiting *waiting;       /* tone, music, announcements */
	struct media_sdp a_offer;
	struct media_codec codec;      /* what both legs send */
	struct mbuf *a_desc;           /* our current SDP on each leg */
	struct mbuf *b_desc;
	struct mbuf *b_desc_srtp;      /* leg B's over TLS: RTP/SAVP */
	struct media_crypto a_key;     /* our SRTP keys, if a_offer.secure */
	struct media_crypto b_key;     /* and if b_desc_srtp */
	struct tmr media_tmr;          /* watches RTP for a lost BYE */
	uint64_t rx[2];                /* packets seen on each leg ... */
	uint64_t rx_ms[2];             /* ... and when that count last grew */
	char from_user[STORE_NUMBER_SZ * 2];   /* shown to leg B */
	char from_name[STORE_NUMBER_SZ * 2];   /* its display name, or "" */
	char app[STORE_ID_SZ];
	char caller[STORE_NUMBER_SZ * 2];
	char agent[STORE_ID_SZ];       /* who calls out; "" inbound */
	struct sa src;                 /* where leg A's INVITE came from */
	bool inbound;
	bool a_answered;
	bool b_answered;
	bool ended;
};


static void destructor(void *arg)
{
	struct b2bua_call *call = arg;

	tmr_cancel(&call->media_tmr);
	list_unlink(&call->le);
	mem_deref(call->ivr);
	mem_deref(call->waiting);
	list_flush(&call->legs);
	mem_deref(call->a);
	mem_deref(call->relay);
	mem_deref(call->acall);
	mem_deref(call->a_desc);
	mem_deref(call->b_desc);
	mem_deref(call->b_desc_srtp);
}


/*
 * The single way a call ends.  reason, when set, goes into the BYE to leg A
 * as an RFC 3326 Reason header, so the caller's phone can show why.
 */
static void call_end(struct b2bua_call *call, const char *status,
		     const char *side, uint16_t scode, const char *reason)
{
	if (call->ended)
		return;
	call->ended = true;

	acd_call_end(call->acall, status, side, scode);

	tmr_cancel(&call->media_tmr);
	call->ivr = mem_deref(call->ivr);
	call->waiting = mem_deref(call->waiting);

	if (call->a && reason)
		(void)sipsess_set_close_headers(call->a,
						"Reason: SIP;cause=%u;"
						"text=\"%s\"\r\n",
						scode, reason);

	/* mem_deref of a session sends BYE, or CANCEL while ringing. */
	call->b = NULL;
	list_flush(&call->legs);
	call->a = mem_deref(call->a);
	call->relay = mem_deref(call->relay);

	mem_deref(call);
}


static void leg_laddr(const struct b2bua_call *call, enum relay_leg leg,
		      struct sa *laddr)
{
	*laddr = call->sf->laddr;
	sa_set_port(laddr, relay_port(call->relay, leg));
}


/* Our answer to leg A's offer: its codec, and SRTP if it asked. */
static int a_desc_make(struct b2bua_call *call)
{
	struct sa laddr;

	leg_laddr(call, RELAY_A, &laddr);
	call->a_desc = mem_deref(call->a_desc);

	return media_sdp_encode(&call->a_desc, &laddr, &call->codec, 1,
				&call->a_offer, call->a_offer.secure ?
				&call->a_key : NULL);
}


/* A re-offer keeps SRTP as it was, with the same key. */
static bool same_security(const struct media_sdp *sdp, bool srtp,
			  const struct media_crypto *key)
{
	if (sdp->secure != srtp)
		return false;

	return !srtp || (sdp->crypto.tag == key->tag &&
			 0 == memcmp(sdp->crypto.key, key->key,
				     sizeof(key->key)));
}


/* A re-INVITE on either leg (leg NULL: A): keep the media as it is. */
static int offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 struct b2bua_call *call, const struct b_leg *leg)
{
	struct media_sdp sdp;
	struct mbuf *desc;
	bool ok;

	if (leg)
		desc = leg->srtp ? call->b_desc_srtp : call->b_desc;
	else
		desc = call->a_desc;

	if (!desc || media_sdp_decode(&sdp, msg->mb))
		return EPROTO;

	ok = leg ? same_security(&sdp, leg->srtp, &leg->rkey) :
		same_security(&sdp, call->a_offer.secure,
			      &call->a_offer.crypto);
	if (!ok) {
		log_info("sip: call %s: re-INVITE changes SRTP: refused",
			 acd_call_id(call->acall));
		return EPROTO;
	}

	relay_set_peer(call->relay, leg ? RELAY_B : RELAY_A, &sdp.raddr);
	desc->pos = 0;
	*descp = mem_ref(desc);

	return 0;
}


static int a_offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			   void *arg)
{
	return offer_handler(descp, msg, arg, NULL);
}


static int a_answer_handler(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 0;
}


static void a_estab_handler(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
}


static void a_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct b2bua_call *call = arg;
	const char *status;
	(void)msg;

	if (call->b_answered)
		status = "answered";
	else if (!call->inbound)
		status = "cancelled";
	else if (call->ivr)
		status = "ivr-abandoned";
	else
		status = call->legs.head ? "ring-abandoned" : "abandoned";

	if (err && err != ECONNRESET)
		log_info("sip: call %s: leg A lost: %m",
			 acd_call_id(call->acall), err);

	/* The session is closed already: nothing to send on leg A. */
	call->a = mem_deref(call->a);

	call_end(call, status, call->inbound ? "caller" : "agent", 0, NULL);
}


static void leg_destructor(void *arg)
{
	struct b_leg *leg = arg;

	tmr_cancel(&leg->ring_tmr);
	list_unlink(&leg->le);
	mem_deref(leg->sess);
}


/* Stop ringing one leg (CANCEL) and forget it. */
static void leg_drop(struct b_leg *leg)
{
	mem_deref(leg);
}


static int b_offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			   void *arg)
{
	struct b_leg *leg = arg;

	return offer_handler(descp, msg, leg->call, leg);
}


static int b_answer_handler(const struct sip_msg *msg, void *arg)
{
	struct b_leg *leg = arg;
	struct b2bua_call *call = leg->call;
	struct media_sdp sdp;
	int err;

	err = media_sdp_decode(&sdp, msg->mb);
	if (err) {
		log_info("sip: call %s: unusable answer from leg B: %m",
			 acd_call_id(call->acall), err);
		return err;
	}

	if (sdp.secure != leg->srtp ||
	    (leg->srtp && sdp.crypto.tag != call->b_key.tag)) {
		log_info("sip: call %s: leg B answered %s to an offer %s",
			 acd_call_id(call->acall),
			 sdp.secure ? "SRTP" : "plain RTP",
			 leg->srtp ? "of SRTP" : "of plain RTP");
		return EPROTO;
	}

	if (!call->inbound)
		call->codec = sdp.codecv[0];

	leg->raddr = sdp.raddr;
	leg->rkey = sdp.crypto;

	return 0;
}


static void b_progress_handler(const struct sip_msg *msg, void *arg)
{
	struct b_leg *leg = arg;
	struct b2bua_call *call = leg->call;

	if (msg->scode != 180 && msg->scode != 183)
		return;

	acd_call_ringing(call->acall);

	if (!call->inbound && !call->a_answered)
		(void)sipsess_progress(call->a, 180, "Ringing", NULL, NULL);
}


/* The first leg to answer wins; the others are cancelled. */
static void b_estab_handler(const struct sip_msg *msg, void *arg)
{
	struct b_leg *leg = arg;
	struct b2bua_call *call = leg->call;
	struct le *le;
	(void)msg;

	if (call->b) {
		/* Answered too late: the ACD released this agent when the
		 * first one answered.  mem_deref sends BYE. */
		log_info("sip: call %s: agent %s answered after another",
			 acd_call_id(call->acall), leg->user_id);
		leg_drop(leg);
		return;
	}

	call->b = leg;
	tmr_cancel(&leg->ring_tmr);
	call->b_answered = true;

	le = call->legs.head;
	while (le) {
		struct b_leg *other = le->data;

		le = le->next;
		if (other != leg)
			leg_drop(other);
	}

	relay_set_peer(call->relay, RELAY_B, &leg->raddr);

	if (leg->srtp &&
	    relay_set_srtp(call->relay, RELAY_B, &call->b_key, &leg->rkey)) {
		log_warn("sip: call %s: no SRTP on leg B",
			 acd_call_id(call->acall));
		call_end(call, "failed", "system", 500, NULL);
		return;
	}

	if (!call->inbound) {
		int err;

		err = a_desc_make(call);
		if (!err)
			err = sipsess_answer(call->a, 200, "OK", call->a_desc,
					     NULL);
		if (err) {
			log_warn("sip: call %s: answering leg A: %m",
				 acd_call_id(call->acall), err);
			call_end(call, "failed", "system", 500, NULL);
			return;
		}
		call->a_answered = true;
	}

	call->waiting = mem_deref(call->waiting);
	relay_set_clock(call->relay, call->codec.srate);
	relay_bridge(call->relay, true);
	acd_call_answered(call->acall, call->inbound ? leg->user_id : NULL);

	log_info("sip: call %s: connected (%s)", acd_call_id(call->acall),
		 call->codec.name);
}


static void b_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct b_leg *leg = arg;
	struct b2bua_call *call = leg->call;
	uint16_t scode = msg && !msg->req ? msg->scode : 0;
	char user_id[STORE_ID_SZ];

	if (leg == call->b) {
		call->b = NULL;
		leg_drop(leg);
		call_end(call, "answered", call->inbound ? "agent" : "callee",
			 0, NULL);
		return;
	}

	str_ncpy(user_id, leg->user_id, sizeof(user_id));
	leg_drop(leg);

	if (call->inbound) {
		/* The ACD rings the next agent, or queues the call again. */
		bool no_answer = err || scode == 408 || scode == 480;

		acd_call_offer_failed(call->acall, user_id, no_answer);
		return;
	}

	/* Outbound: tell the agent's phone what the far end said. */
	if (!scode)
		scode = err == ETIMEDOUT ? 408 : 503;

	if (call->a && !call->a_answered)
		(void)sipsess_reject(call->a, scode,
				     msg && msg->reason.l ? "Rejected" :
				     "Service Unavailable", NULL);

	call_end(call, scode == 487 ? "cancelled" : "rejected", "callee",
		 scode, NULL);
}


static void ring_timeout_handler(void *arg)
{
	struct b_leg *leg = arg;
	struct b2bua_call *call = leg->call;
	char user_id[STORE_ID_SZ];

	log_info("sip: call %s: no answer from agent %s",
		 acd_call_id(call->acall), leg->user_id);

	str_ncpy(user_id, leg->user_id, sizeof(user_id));
	leg_drop(leg);      /* sends CANCEL */
	acd_call_offer_failed(call->acall, user_id, true);
}


/* An agent registered over TLS (sip/register.c names the transport). */
static bool is_tls(const char *uri)
{
	struct pl pl, tp;
	struct uri u;

	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl) ||
	    msg_param_decode(&u.params, "transport", &tp))
		return false;

	return 0 == pl_strcasecmp(&tp, "tls");
}


static int b_connect(struct b2bua_call *call, const char *to_uri, bool srtp,
		     const char *from_user, const struct media_codec *codecv,
		     size_t codecc, const char *user_id, struct b_leg **legp)
{
	struct sipfront *sf = call->sf;
	struct mbuf **descp = srtp ? &call->b_desc_srtp : &call->b_desc;
	char from_uri[256];
	struct b_leg *leg;
	struct sa laddr;
	int err;

	/* Every leg of a call offers the same: the relay's B side, with
	 * one key for those over TLS (only one of them will answer). */
	if (!*descp) {
		if (srtp) {
			err = media_crypto_new(&call->b_key, 1);
			if (err)
				return err;
		}

		leg_laddr(call, RELAY_B, &laddr);
		err = media_sdp_encode(descp, &laddr, codecv, codecc, NULL,
				       srtp ? &call->b_key : NULL);
		if (err)
			return err;
	}

	if (re_snprintf(from_uri, sizeof(from_uri), "sip:%s@%J", from_user,
			&sf->laddr) < 0)
		return ENOMEM;

	leg = mem_zalloc(sizeof(*leg), leg_destructor);
	if (!leg)
		return ENOMEM;

	leg->call = call;
	leg->srtp = srtp;
	tmr_init(&leg->ring_tmr);
	str_ncpy(leg->user_id, user_id, sizeof(leg->user_id));

	err = sipsess_connect(&leg->sess, sf->sock, to_uri,
			      call->from_name[0] ? call->from_name : NULL,
			      from_uri, "lianluo", NULL, 0, "application/sdp",
			      *descp, NULL, NULL, false,
			      b_offer_handler, b_answer_handler,
			      b_progress_handler, b_estab_handler, NULL,
			      NULL, b_close_handler, leg,
			      "X-Lianluo-Session: %s\r\n",
			      acd_call_id(call->acall));
	if (err) {
		mem_deref(leg);
		return err;
	}

	list_append(&call->legs, &leg->le, leg);
	if (legp)
		*legp = leg;

	return 0;
}


/* The ACD asks us to ring one agent (maybe one of several at once). */
static void agent_offer_handler(struct acd_call *acall, const char *user_id,
				const char *contact, uint32_t ring_timeout_s,
				void *arg)
{
	struct b2bua_call *call = arg;
	struct b_leg *leg = NULL;
	int err;

	err = b_connect(call, contact, is_tls(contact), call->from_user,
			&call->codec, 1, user_id, &leg);
	if (err) {
		log_warn("sip: call %s: cannot ring agent %s: %m",
			 acd_call_id(acall), user_id, err);
		acd_call_offer_failed(acall, user_id, false);
		return;
	}

	tmr_start(&leg->ring_tmr, ring_timeout_s * 1000ULL,
		  ring_timeout_handler, leg);
}


/* The call could wait no longer (max wait, or every queue full). */
static void queue_timeout_handler(struct acd_call *acall, int err, void *arg)
{
	struct b2bua_call *call = arg;
	(void)acall;

	if (err == EOVERFLOW)
		call_end(call, "queue-full", "system", 486, "Queue full");
	else if (err == ETIMEDOUT)
		call_end(call, "timeout", "system", 480, "No agent available");
	else
		call_end(call, "failed", "system", 503, "No such skill group");
}


enum {
	MEDIA_CHECK_MS = 2000,
};


/* Has this leg been silent for the media timeout? */
static bool leg_silent(struct b2bua_call *call, enum relay_leg leg,
		       const struct relay_stats *st, uint64_t now)
{
	if (st->pkts[leg] != call->rx[leg] || !call->rx_ms[leg]) {
		call->rx[leg] = st->pkts[leg];
		call->rx_ms[leg] = now;
		return false;
	}

	return now - call->rx_ms[leg] >= call->sf->cfg->media_timeout_s *
		1000ULL;
}


/*
 * A BYE can be lost for good (a phone that crashed, a network that went
 * away): a leg that sends no RTP for the media timeout has hung up.  Leg
 * A is watched from the moment it is answered, leg B once bridged.
 */
static void media_check_handler(void *arg)
{
	struct b2bua_call *call = arg;
	struct relay_stats st;
	uint64_t now = tmr_jiffies();
	bool a_gone, b_gone;

	tmr_start(&call->media_tmr, MEDIA_CHECK_MS, media_check_handler,
		  call);

	relay_stats(call->relay, &st);
	a_gone = call->a_answered && leg_silent(call, RELAY_A, &st, now);
	b_gone = call->b_answered && leg_silent(call, RELAY_B, &st, now);
	if (!a_gone && !b_gone)
		return;

	log_info("sip: call %s: no media from the %s for %us, ending it",
		 acd_call_id(call->acall), a_gone ? (call->inbound ?
						      "caller" : "agent") :
		 (call->inbound ? "agent" : "callee"),
		 call->sf->cfg->media_timeout_s);

	if (call->b_answered)
		call_end(call, "answered", a_gone ? (call->inbound ? "caller" :
						     "agent") :
			 (call->inbound ? "agent" : "callee"), 408, NULL);
	else if (call->inbound)
		call_end(call, call->legs.head ? "ring-abandoned" :
			 "abandoned", "caller", 408, NULL);
	else
		call_end(call, "cancelled", "agent", 408, NULL);
}


static int call_alloc(struct b2bua_call **callp, struct sipfront *sf,
		      const struct sip_msg *msg, bool inbound)
{
	struct b2bua_call *call;
	int err;

	call = mem_zalloc(sizeof(*call), destructor);
	if (!call)
		return ENOMEM;

	call->sf = sf;
	call->inbound = inbound;
	call->src = msg->src;

	err = media_sdp_decode(&call->a_offer, msg->mb);
	if (err)
		goto out;

	err = relay_alloc(&call->relay, &sf->laddr);
	if (err)
		goto out;

	if (call->a_offer.secure) {
		err = media_crypto_new(&call->a_key, call->a_offer.crypto.tag);
		if (!err)
			err = relay_set_srtp(call->relay, RELAY_A, &call->a_key,
					     &call->a_offer.crypto);
		if (err)
			goto out;
	}

	relay_set_peer(call->relay, RELAY_A, &call->a_offer.raddr);
	list_append(&sf->calls, &call->le, call);

	tmr_init(&call->media_tmr);
	if (sf->cfg->media_timeout_s)
		tmr_start(&call->media_tmr, MEDIA_CHECK_MS,
			  media_check_handler, call);

 out:
	if (err)
		mem_deref(call);
	else
		*callp = call;

	return err;
}


static int accept_leg_a(struct b2bua_call *call, const struct sip_msg *msg,
			uint16_t scode, const char *reason, struct mbuf *desc)
{
	return sipsess_accept(&call->a, call->sf->sock, msg, scode, reason,
			      "lianluo", "application/sdp", desc, NULL, NULL,
			      false, a_offer_handler, a_answer_handler,
			      a_estab_handler, NULL, NULL, a_close_handler,
			      call, NULL);
}


/* SDP errors have their own answers (RFC 3261 21.4.26, 21.4.19). */
static void reply_sdp_error(struct sipfront *sf, const struct sip_msg *msg,
			    int err)
{
	if (err == ENOTSUP)
		(void)sip_treply(NULL, sf->sip, msg, 488,
				 "Not Acceptable Here");
	else if (err == EBADMSG)
		(void)sip_treply(NULL, sf->sip, msg, 400, "Bad SDP");
	else
		(void)sip_treply(NULL, sf->sip, msg, 500,
				 "Server Internal Error");
}


/*
 * What the agent is shown of the caller.  In a masked group: the masked
 * number as display name and a new reference as user; if no reference
 * can be made the agent sees "anonymous" rather than the number.
 */
static void caller_present(struct b2bua_call *call, const char *app,
			   const char *group, const char *caller)
{
	struct store_group g;
	char ref[STORE_REF_SZ];
	int err;

	str_ncpy(call->from_user, caller, sizeof(call->from_user));

	/* An unknown group fails in acd_call_queue, with its own log. */
	if (store_group_get(call->sf->st, app, group, &g) ||
	    !g.mask_numbers)
		return;

	if (mask_phone(call->from_name, sizeof(call->from_name), caller))
		str_ncpy(call->from_name, "****", sizeof(call->from_name));

	err = caller[0] ? store_numref_add(call->sf->st, app, caller,
					   (int64_t)time(NULL) +
					   SIP_NUMREF_TTL_S, ref,
					   sizeof(ref)) : ENOENT;
	if (err) {
		if (err != ENOENT)
			log_warn("sip: call %s: no number reference: %m",
				 acd_call_id(call->acall), err);
		str_ncpy(call->from_user, "anonymous",
			 sizeof(call->from_user));
		return;
	}

	str_ncpy(call->from_user, ref, sizeof(call->from_user));
}


/* Queue an answered inbound call: the queue tone, then the ACD. */
static void call_queue(struct b2bua_call *call, const char *group,
		       int32_t priority)
{
	int err;

	log_info("sip: call %s: queued to %s", acd_call_id(call->acall),
		 group);

	caller_present(call, call->app, group, call->caller);
	acd_call_set_priority(call->acall, priority);

	err = waiting_alloc(&call->waiting, call->sf->wmedia, call->relay,
			    &call->codec, call->acall);
	if (err)
		log_warn("sip: call %s: no queue tone: %m",
			 acd_call_id(call->acall), err);

	err = acd_call_queue(call->acall, group, agent_offer_handler,
			     queue_timeout_handler, call);
	if (err)
		queue_timeout_handler(call->acall, err, call);
}


static void ivr_done_handler(enum sip_ivr_result result, const char *group,
			     int32_t priority, void *arg)
{
	struct b2bua_call *call = arg;
	char grp[STORE_NAME_SZ];

	/* group lives in the IVR, which goes now */
	str_ncpy(grp, group, sizeof(grp));
	call->ivr = mem_deref(call->ivr);

	if (result == SIP_IVR_QUEUE)
		call_queue(call, grp, priority);
	else
		call_end(call, "ivr-ended", "system", 0, NULL);
}


/* The number's IVR menu first, if it has one; else its skill group. */
static void inbound_route(struct b2bua_call *call,
			  const struct store_number *num)
{
	int err;

	if (!num->ivr[0]) {
		call_queue(call, num->group, num->priority);
		return;
	}

	err = sip_ivr_start(&call->ivr, call->sf, call->app,
			    acd_call_id(call->acall), num->ivr, num->group,
			    num->priority, call->relay, &call->codec,
			    ivr_done_handler, call);
	if (!err)
		return;

	/* Checked when configured; gone or broken since: the group. */
	log_warn("sip: call %s: IVR menu %s can not run: %m",
		 acd_call_id(call->acall), num->ivr, err);
	if (num->group[0])
		call_queue(call, num->group, num->priority);
	else
		call_end(call, "failed", "system", 503, "No such IVR menu");
}


static void inbound_start(struct sipfront *sf, const struct sip_msg *msg,
			  const char *app, const struct store_number *num)
{
	char caller[STORE_NUMBER_SZ * 2], callee[STORE_NUMBER_SZ];
	struct b2bua_call *call = NULL;
	int err;

	(void)pl_strcpy(&msg->from.uri.user, caller, sizeof(caller));
	str_ncpy(callee, num->number, sizeof(callee));

	err = call_alloc(&call, sf, msg, true);
	if (err) {
		reply_sdp_error(sf, msg, err);
		return;
	}

	call->codec = call->a_offer.codecv[0];

	err = acd_call_alloc(&call->acall, sf->acd, app, true, caller,
			     callee);
	if (err)
		goto fail;

	str_ncpy(call->app, app, sizeof(call->app));
	str_ncpy(call->caller, caller, sizeof(call->caller));

	err = a_desc_make(call);
	if (err)
		goto fail;

	err = accept_leg_a(call, msg, 200, "OK", call->a_desc);
	if (err)
		goto fail;
	call->a_answered = true;

	log_info("sip: call %s: %s -> %s (%s)", acd_call_id(call->acall),
		 caller, callee, call->codec.name);

	relay_set_clock(call->relay, call->codec.srate);
	inbound_route(call, num);
	return;

 fail:
	log_warn("sip: inbound call from %J failed: %m", &msg->src, err);
	if (!call->a)
		(void)sip_treply(NULL, sf->sip, msg, 500,
				 "Server Internal Error");
	call_end(call, "failed", "system", 500, NULL);
}


static int trunk_target(const struct sipfront *sf, const char *number,
			char *buf, size_t sz)
{
	struct pl pl;
	struct uri uri;

	pl_set_str(&pl, sf->cfg->trunk_uri);
	if (uri_decode(&uri, &pl))
		return EINVAL;

	if (uri.port)
		return re_snprintf(buf, sz, "sip:%s@%r:%u%r", number,
				   &uri.host, uri.port, &uri.params) < 0 ?
			ENOMEM : 0;

	return re_snprintf(buf, sz, "sip:%s@%r%r", number, &uri.host,
			   &uri.params) < 0 ? ENOMEM : 0;
}


static void copy_xhdr(const struct sip_msg *msg, const char *name, char *buf,
		      size_t sz)
{
	const struct sip_hdr *hdr = sip_msg_xhdr(msg, name);

	buf[0] = '\0';
	if (hdr && hdr->val.l < sz)
		(void)pl_strcpy(&hdr->val, buf, sz);
}


/* The From user is an extension or ephemeral credential of ours. */
static bool is_agent_request(struct sipfront *sf, const struct sip_msg *msg)
{
	struct store_staff staff;
	struct store_sipcred cred;
	char user[STORE_ID_SZ], app[STORE_ID_SZ];

	if (!msg->from.uri.user.l || msg->from.uri.user.l >= sizeof(user))
		return false;

	(void)pl_strcpy(&msg->from.uri.user, user, sizeof(user));

	return 0 == store_staff_by_extension(sf->st, user, app, sizeof(app),
					     &staff) ||
		0 == store_sipcred_get(sf->st, user, &cred);
}


/* "r" + 16 lowercase hex digits: a number reference (store_numref_add) */
static bool is_numref(const char *s)
{
	size_t i;

	if (s[0] != 'r' || strlen(s) != STORE_REF_SZ - 1)
		return false;

	for (i = 1; s[i]; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}

	return true;
}


/* Outbound calls of one agent in progress */
static uint32_t agent_calls(const struct sipfront *sf, const char *app,
			    const char *user_id)
{
	uint32_t n = 0;
	struct le *le;

	LIST_FOREACH(&sf->calls, le) {
		const struct b2bua_call *call = le->data;

		if (!call->ended && !call->inbound &&
		    !strcmp(call->agent, user_id) && !strcmp(call->app, app))
			++n;
	}

	return n;
}


/* Calls in progress whose INVITE came from the address of src */
static uint32_t addr_calls(const struct sipfront *sf, const struct sa *src)
{
	uint32_t n = 0;
	struct le *le;

	LIST_FOREACH(&sf->calls, le) {
		const struct b2bua_call *call = le->data;

		if (!call->ended && sa_cmp(&call->src, src, SA_ADDR))
			++n;
	}

	return n;
}


static void outbound_start(struct sipfront *sf, const struct sip_msg *msg)
{
	char dialled[STORE_NUMBER_SZ], callerid[STORE_NUMBER_SZ];
	char number[STORE_NUMBER_SZ * 2];
	char uui[STORE_TEXT_SZ], remark[STORE_TEXT_SZ];
	char target[320];
	struct sip_identity id;
	struct b2bua_call *call = NULL;
	int err;

	err = sipauth_check(sf, msg, true, &id);
	if (err == ENOENT || err == ETIMEDOUT) {
		(void)sipauth_challenge(sf, msg, true, err == ETIMEDOUT);
		return;
	}
	if (err == EAGAIN) {
		(void)sipauth_refuse(sf, msg, true, id.retry_s);
		return;
	}
	if (err) {
		log_info("sip: INVITE from %J: wrong credentials", &msg->src);
		(void)sip_treply(NULL, sf->sip, msg, 403, "Forbidden");
		return;
	}

	if (!sf->cfg->trunk_uri[0]) {
		(void)sip_treply(NULL, sf->sip, msg, 503, "No Trunk Configured");
		return;
	}

	if (sf->cfg->sip_calls_agent &&
	    agent_calls(sf, id.app, id.user_id) >= sf->cfg->sip_calls_agent) {
		log_info("sip: agent %s is at its limit of %u outbound calls"
			 " in progress: 403", id.user_id,
			 sf->cfg->sip_calls_agent);
		(void)sip_treply(NULL, sf->sip, msg, 403, "Too Many Calls");
		return;
	}

	if (msg->uri.user.l == 0 || msg->uri.user.l >= sizeof(dialled)) {
		(void)sip_treply(NULL, sf->sip, msg, 484, "Address Incomplete");
		return;
	}
	(void)pl_strcpy(&msg->uri.user, dialled, sizeof(dialled));

	/* A call-back to a masked customer: the reference stands for the
	 * number, for the agent's application only and until it expires. */
	if (is_numref(dialled)) {
		err = store_numref_get(sf->st, id.app, dialled,
				       (int64_t)time(NULL), number,
				       sizeof(number));
		if (err) {
			log_info("sip: agent %s called number reference %s:"
				 " %s", id.user_id, dialled,
				 err == ENOENT ? "unknown or expired" :
				 "store error");
			(void)sip_treply(NULL, sf->sip, msg,
					 err == ENOENT ? 404 : 500,
					 err == ENOENT ? "Not Found" :
					 "Server Internal Error");
			return;
		}
	}
	else {
		str_ncpy(number, dialled, sizeof(number));
	}

	err = call_alloc(&call, sf, msg, false);
	if (err) {
		reply_sdp_error(sf, msg, err);
		return;
	}
	str_ncpy(call->app, id.app, sizeof(call->app));
	str_ncpy(call->agent, id.user_id, sizeof(call->agent));

	err = acd_call_alloc(&call->acall, sf->acd, id.app, false, id.user_id,
			     number);
	if (err)
		goto fail;

	err = acd_call_outbound(call->acall, id.user_id, callerid,
				sizeof(callerid));
	if (err) {
		log_info("sip: agent %s has no skill group with a number",
			 id.user_id);
		(void)sip_treply(NULL, sf->sip, msg, 403, "No Caller Number");
		call_end(call, "failed", "system", 403, NULL);
		return;
	}

	copy_xhdr(msg, "X-Lianluo-UUI", uui, sizeof(uui));
	copy_xhdr(msg, "X-Lianluo-Remark", remark, sizeof(remark));
	acd_call_set_info(call->acall, uui, remark);
	str_ncpy(call->from_user, callerid, sizeof(call->from_user));

	err = trunk_target(sf, number, target, sizeof(target));
	if (err)
		goto fail;

	/* libre accepts with 101..299 only: progress, no SDP yet. */
	err = accept_leg_a(call, msg, 183, "Session Progress", NULL);
	if (err)
		goto fail;

	/* A trunk over TLS keeps plain RTP: trunks rarely take SDES. */
	err = b_connect(call, target, false, callerid, call->a_offer.codecv,
			call->a_offer.codecc, "", NULL);
	if (err) {
		(void)sipsess_reject(call->a, 503, "Trunk Unreachable", NULL);
		call_end(call, "failed", "system", 503, NULL);
		return;
	}

	log_info("sip: call %s: agent %s -> %s as %s",
		 acd_call_id(call->acall), id.user_id, dialled, callerid);
	return;

 fail:
	log_warn("sip: outbound call from %J failed: %m", &msg->src, err);
	if (!call->a)
		(void)sip_treply(NULL, sf->sip, msg, 500,
				 "Server Internal Error");
	else
		(void)sipsess_reject(call->a, 500, "Server Internal Error",
				     NULL);
	call_end(call, "failed", "system", 500, NULL);
}


/**
 * A new INVITE: a service number means a customer calling in; anything
 * else must come from an authenticated agent and goes out to the trunk.
 */
void b2bua_conn_handler(const struct sip_msg *msg, void *arg)
{
	struct sipfront *sf = arg;
	struct store_number num;
	char app[STORE_ID_SZ];
	char user[STORE_NUMBER_SZ];

	if (sf->closing) {
		(void)sip_treply(NULL, sf->sip, msg, 503, "Shutting Down");
		return;
	}

	/* One address (but the trunk's) cannot hold all the relay ports. */
	if (sf->cfg->sip_calls_addr &&
	    !sa_cmp(&msg->src, &sf->trunk_addr, SA_ADDR) &&
	    addr_calls(sf, &msg->src) >= sf->cfg->sip_calls_addr) {
		log_info("sip: INVITE from %J: the address is at its limit of"
			 " %u calls in progress: 503", &msg->src,
			 sf->cfg->sip_calls_addr);
		(void)sip_treplyf(NULL, NULL, sf->sip, msg, false, 503,
				  "Too Many Calls",
				  "Retry-After: %u\r\n"
				  "Content-Length: 0\r\n\r\n",
				  SIP_BUSY_RETRY_S);
		return;
	}

	if (msg->uri.user.l && msg->uri.user.l < sizeof(user)) {
		(void)pl_strcpy(&msg->uri.user, user, sizeof(user));
		if (0 == store_number_get(sf->st, user, app, sizeof(app),
					  &num)) {
			inbound_start(sf, msg, app, &num);
			return;
		}
	}

	/* Not a service number: only an agent may call it. */
	if (sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION) ||
	    is_agent_request(sf, msg)) {
		outbound_start(sf, msg);
		return;
	}

	log_info("sip: INVITE from %J for unknown number '%r': 404",
		 &msg->src, &msg->uri.user);
	(void)sip_treply(NULL, sf->sip, msg, 404, "Not Found");
}


void b2bua_close_all(struct sipfront *sf)
{
	struct le *le = sf->calls.head;

	while (le) {
		struct b2bua_call *call = le->data;

		le = le->next;
		call_end(call, "failed", "system", 503, "Server shutting down");
	}
}
