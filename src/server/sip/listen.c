/**
 * @file sip/listen.c  SIP transports and the first look at every request
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * UDP and TCP listen on the same address, TLS on its own (sip-tls, with
 * the HTTPS certificate); the choice of transports is made here alone.
 * UDP and TCP serve desk phones and trunks; the SDK uses TLS, and its
 * calls then use SRTP (sip/b2bua.c).  Every request passes a sanity
 * check first, so that a malformed request gets 400 and never reaches the
 * registrar or the B2BUA; libre drops what it cannot parse at all.
 * Requests larger than SIP_MSG_MAX get 513 (RFC 3261 21.5.11), more than
 * SIP_HDR_MAX header fields 400.  (libre itself reads UDP datagrams of
 * 8 KiB at most and closes a TCP connection past 64 KiB unparsed.)
 *
 * Then the requests that cost a store lookup or a digest check (REGISTER,
 * MESSAGE, a new INVITE) take a token of their source address's bucket
 * (config sip-request-rate a second, bursts of as many): an address over
 * it gets a stateless 503 with Retry-After (RFC 3261 21.5.4) and costs
 * nothing more, so a flood from one address does not starve the others.
 * The trunk's address (when the trunk is given as one) is not limited.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/ratelimit.h"
#include "common/tlss.h"
#include "common/tlsc.h"
#include "store/store.h"
#include "config.h"
#include "common/media_sdp.h"
#include "media/media.h"
#include "acd/acd.h"
#include "sip/sipfront.h"
#include "sip/sipint.h"


enum {
	SIP_HASH_SIZE = 1024,
};

#define ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, INFO, MESSAGE"


/*
 * Content-Length is 1*DIGIT (RFC 3261 20.14).  libre reads "-1", "1e3" or
 * a value past 2^32 as some other number (0, 1, the value mod 2^32) and
 * takes the request with that length; answer 400 instead, so that no two
 * parties read one request with two lengths.  Nine digits are more than
 * any request we take.
 */
static bool clen_valid(const struct pl *clen)
{
	size_t i;

	if (!clen->l || clen->l > 9)
		return false;

	for (i = 0; i < clen->l; i++) {
		if (clen->p[i] < '0' || clen->p[i] > '9')
			return false;
	}

	return true;
}


static bool is_sane(const struct sip_msg *msg, const char **why)
{
	if (!pl_isset(&msg->callid))
		*why = "Missing Call-ID";
	else if (!pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri))
		*why = "Missing From or To";
	else if (!pl_isset(&msg->cseq.met) ||
		 pl_cmp(&msg->cseq.met, &msg->met))
		*why = "Bad CSeq";
	else if (!pl_isset(&msg->via.branch))
		*why = "Missing Via branch";
	else if (pl_strcasecmp(&msg->ver, "SIP/2.0"))
		*why = "Bad Version";
	/* RFC 3261 25.1 allows no NUL in the head; C strings made of a
	 * header would end there while libre's view goes on. */
	else if (memchr(msg->met.p, '\0',
			(size_t)((const char *)mbuf_buf(msg->mb) - msg->met.p)))
		*why = "NUL in Header";
	else if (pl_isset(&msg->clen) && !clen_valid(&msg->clen))
		*why = "Bad Content-Length";
	/* A datagram shorter than its Content-Length (RFC 3261 18.3) */
	else if (pl_isset(&msg->clen) &&
		 pl_u32(&msg->clen) > mbuf_get_left(msg->mb))
		*why = "Content-Length Past End";
	else
		return true;

	return false;
}


/* Costly requests: a store lookup or a digest check. */
static bool is_costly(const struct sip_msg *msg)
{
	if (!pl_strcmp(&msg->met, "REGISTER") ||
	    !pl_strcmp(&msg->met, "MESSAGE"))
		return true;

	return !pl_strcmp(&msg->met, "INVITE") && !pl_isset(&msg->to.tag);
}


/* Returns true if the request was refused. */
static bool over_rate(struct sipfront *sf, const struct sip_msg *msg)
{
	char addr[RATELIMIT_KEY_SZ];
	uint32_t ms;
	bool first;

	if (!sf->rl_req || !is_costly(msg) ||
	    sa_cmp(&msg->src, &sf->trunk_addr, SA_ADDR))
		return false;

	(void)re_snprintf(addr, sizeof(addr), "%j", &msg->src);
	ms = ratelimit_take(sf->rl_req, addr, tmr_jiffies(), &first);
	if (!ms)
		return false;

	if (first)
		log_warn("sip: more than %u requests a second from %s:"
			 " answering 503", sf->cfg->sip_request_rate, addr);

	(void)sip_replyf(sf->sip, msg, 503, "Too Many Requests",
			 "Retry-After: %u\r\n"
			 "Content-Length: 0\r\n\r\n", (ms + 999) / 1000);
	return true;
}


/**
 * The URI that reaches a client down the TCP or TLS connection a request
 * came on: its source address, the transport named.
 *
 * @return 0 if success, otherwise errorcode
 */
int sipfront_flow_uri(char *buf, size_t sz, const struct pl *user,
		      const struct sip_msg *msg)
{
	if (re_snprintf(buf, sz, "sip:%r%s%J;transport=%s", user,
			user->l ? "@" : "", &msg->src,
			msg->tp == SIP_TRANSP_TLS ? "tls" : "tcp") < 0)
		return ENAMETOOLONG;

	return 0;
}


/*
 * An INVITE over TCP or TLS: its dialog is to send its requests (a BYE)
 * down the connection the client opened, not to the address its Contact
 * names.  The SDK over TLS has no certificate to accept connections
 * with, and libre writes its listening port there, not the connection's;
 * a phone behind NAT names an address nobody reaches.  So the Contact is
 * rewritten to the source before the dialog reads it, as NAT-aware
 * proxies do (Kamailio's fix_nated_contact).  The header's value is
 * pointed at sf->flow_contact, which lives until the next request: the
 * session layer copies what it keeps while this request is handled.
 */
static void contact_to_flow(struct sipfront *sf, const struct sip_msg *msg)
{
	struct sip_hdr *hdr;
	struct sip_addr addr;
	char uri[sizeof(sf->flow_contact) - 2];

	if ((msg->tp != SIP_TRANSP_TCP && msg->tp != SIP_TRANSP_TLS) ||
	    pl_strcmp(&msg->met, "INVITE"))
		return;

	/* libre hands requests out as const; this one field is ours to
	 * change before the session layer reads it. */
	hdr = (struct sip_hdr *)sip_msg_hdr(msg, SIP_HDR_CONTACT);
	if (!hdr || sip_addr_decode(&addr, &hdr->val) ||
	    sipfront_flow_uri(uri, sizeof(uri), &addr.uri.user, msg))
		return;

	(void)re_snprintf(sf->flow_contact, sizeof(sf->flow_contact), "<%s>",
			  uri);
	pl_set_str(&hdr->val, sf->flow_contact);
}


/* Every request reaches us first (fuzz/fuzz_sip.c calls this directly). */
bool sipfront_request_handler(const struct sip_msg *msg, void *arg)
{
	struct sipfront *sf = arg;
	const char *why = NULL;

	if (msg->mb->end > SIP_MSG_MAX) {
		log_info("sip: %r from %J: 513 %zu bytes", &msg->met,
			 &msg->src, msg->mb->end);
		if (pl_strcmp(&msg->met, "ACK"))
			(void)sip_reply(sf->sip, msg, 513, "Message Too Large");
		return true;
	}

	if (list_count(&msg->hdrl) > SIP_HDR_MAX) {
		log_info("sip: %r from %J: 400 %u header fields", &msg->met,
			 &msg->src, list_count(&msg->hdrl));
		if (pl_strcmp(&msg->met, "ACK"))
			(void)sip_reply(sf->sip, msg, 400, "Too Many Headers");
		return true;
	}

	if (!is_sane(msg, &why)) {
		log_info("sip: %r from %J: 400 %s", &msg->met, &msg->src,
			 why);
		if (pl_strcmp(&msg->met, "ACK"))
			(void)sip_reply(sf->sip, msg, 400, why);
		return true;
	}

	if (pl_isset(&msg->maxfwd) && pl_u32(&msg->maxfwd) == 0 &&
	    pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_reply(sf->sip, msg, 483, "Too Many Hops");
		return true;
	}

	if (over_rate(sf, msg))
		return true;

	if (!pl_strcmp(&msg->met, "REGISTER")) {
		registrar_handle(sf, msg);
		return true;
	}

	/* Agent statuses (agentstatus.c) */
	if (!pl_strcmp(&msg->met, "MESSAGE")) {
		agentstatus_handle(sf, msg);
		return true;
	}

	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_replyf(sf->sip, msg, 200, "OK",
				 "Allow: " ALLOW "\r\n"
				 "Accept: application/sdp\r\n"
				 "Content-Length: 0\r\n\r\n");
		return true;
	}

	contact_to_flow(sf, msg);

	/* Dialog methods belong to sipsess. */
	if (!pl_strcmp(&msg->met, "INVITE") || !pl_strcmp(&msg->met, "ACK") ||
	    !pl_strcmp(&msg->met, "BYE") || !pl_strcmp(&msg->met, "CANCEL") ||
	    !pl_strcmp(&msg->met, "INFO") || !pl_strcmp(&msg->met, "REFER"))
		return false;

	(void)sip_replyf(sf->sip, msg, 405, "Method Not Allowed",
			 "Allow: " ALLOW "\r\n"
			 "Content-Length: 0\r\n\r\n");
	return true;
}


static void destructor(void *arg)
{
	struct sipfront *sf = arg;

	b2bua_close_all(sf);
	agentstatus_close(sf);
	mem_deref(sf->lsnr);
	mem_deref(sf->sock);
	sip_close(sf->sip, true);
	mem_deref(sf->sip);
	mem_deref(sf->tls);
	mem_deref(sf->wmedia);
	list_flush(&sf->ivr_prompts);
	mem_deref(sf->acd);
	mem_deref(sf->st);
	mem_deref(sf->rl_addr);
	mem_deref(sf->rl_user);
	mem_deref(sf->rl_req);
	mem_deref(sf->replay);
}


static int limits_alloc(struct sipfront *sf, const struct config *cfg)
{
	const uint32_t window_ms = cfg->auth_fail_window_s * 1000;
	struct uri uri;
	struct pl pl;
	int err = 0;

	if (cfg->auth_fail_addr)
		err = ratelimit_alloc(&sf->rl_addr, cfg->auth_fail_addr,
				      window_ms, SIP_RL_KEYS);
	if (!err && cfg->auth_fail_user)
		err = ratelimit_alloc(&sf->rl_user, cfg->auth_fail_user,
				      window_ms, SIP_RL_KEYS);
	if (!err && cfg->sip_request_rate)
		err = ratelimit_alloc(&sf->rl_req, cfg->sip_request_rate,
				      1000, SIP_RL_KEYS);

	/* The trunk's requests and calls are not limited per address. */
	pl_set_str(&pl, cfg->trunk_uri);
	if (cfg->trunk_uri[0] && !uri_decode(&uri, &pl))
		(void)sa_set(&sf->trunk_addr, &uri.host, 0);

	return err;
}


/*
 * A trunk over TLS (";transport=tls" in its URI) is reached through the
 * SIP-TLS transport, whose context then verifies the servers it connects
 * to, as the SDK does: the trunk's pinned certificate, a CA file, or the
 * system store with the host checked.  Clients connecting to us are not
 * asked for certificates (they authenticate with digest).
 */
static int trunk_tls_prepare(struct sipfront *sf, const struct config *cfg)
{
	struct tlsc_verify *v;
	struct pl pl, tp;
	struct uri uri;
	char host[256];
	int err;

	pl_set_str(&pl, cfg->trunk_uri);
	if (!cfg->trunk_uri[0] || uri_decode(&uri, &pl) ||
	    msg_param_decode(&uri.params, "transport", &tp) ||
	    pl_strcasecmp(&tp, "tls"))
		return 0;

	if (!sf->tls) {
		log_error("sip: the trunk is over TLS: sip-tls must be on");
		return EINVAL;
	}

	(void)pl_strcpy(&uri.host, host, sizeof(host));
	err = tlsc_ctx_verify(tls_openssl_context(sf->tls), host,
			      cfg->trunk_cert_sha256, cfg->trunk_ca_file, &v);
	if (err) {
		log_error("sip: cannot verify the trunk's certificate with"
			  " %s: %m", cfg->trunk_cert_sha256[0] ? "the pin" :
			  cfg->trunk_ca_file[0] ? cfg->trunk_ca_file :
			  "the system store", err);
		return err;
	}

	v->serving = true;
	log_info("sip: trunk over TLS, verified by %s",
		 cfg->trunk_cert_sha256[0] ? "its pinned certificate" :
		 cfg->trunk_ca_file[0] ? "a CA file" : "the system store");

	return 0;
}


/**
 * Start the SIP front end on cfg->sip_laddr over UDP and TCP, and on
 * cfg->sip_tls_laddr over TLS (cfg->tls_cert and tls_key) if it is set.
 *
 * @return 0 if success, otherwise errorcode
 */
int sipfront_alloc(struct sipfront **sfp, const struct config *cfg,
		   struct store *st, struct acd *acd)
{
	struct sipfront *sf;
	int err;

	if (!sfp || !cfg || !st || !acd)
		return EINVAL;

	sf = mem_zalloc(sizeof(*sf), destructor);
	if (!sf)
		return ENOMEM;

	sf->cfg = cfg;
	sf->st = mem_ref(st);
	sf->acd = mem_ref(acd);
	sf->laddr = cfg->sip_laddr;
	list_init(&sf->calls);
	list_init(&sf->notes);
	list_init(&sf->ivr_prompts);
	rand_bytes(sf->nonce_key, sizeof(sf->nonce_key));
	err = sipauth_init(sf);
	if (err)
		goto out;
	sa_init(&sf->trunk_addr, AF_UNSPEC);

	err = limits_alloc(sf, cfg);
	if (err)
		goto out;

	err = waiting_media_load(&sf->wmedia, cfg);
	if (err)
		goto out;

	err = sip_alloc(&sf->sip, NULL, SIP_HASH_SIZE, SIP_HASH_SIZE,
			SIP_HASH_SIZE, "lianluo/" LL_VERSION_STR, NULL, NULL);
	if (err)
		goto out;

	err = sip_transp_add(sf->sip, SIP_TRANSP_UDP, &cfg->sip_laddr);
	if (err) {
		log_error("sip: cannot listen on udp %J: %m",
			  &cfg->sip_laddr, err);
		goto out;
	}

	err = sip_transp_add(sf->sip, SIP_TRANSP_TCP, &cfg->sip_laddr);
	if (err) {
		log_error("sip: cannot listen on tcp %J: %m",
			  &cfg->sip_laddr, err);
		goto out;
	}

	if (config_listening(&cfg->sip_tls_laddr)) {
		struct sa laddr;

		err = tlss_alloc(&sf->tls, cfg->tls_cert, cfg->tls_key);
		if (!err)
			err = sip_transp_add(sf->sip, SIP_TRANSP_TLS,
					     &cfg->sip_tls_laddr, sf->tls);
		if (!err)
			err = sip_transp_laddr(sf->sip, &laddr,
					       SIP_TRANSP_TLS, NULL);
		if (err) {
			log_error("sip: cannot listen on tls %J: %m",
				  &cfg->sip_tls_laddr, err);
			goto out;
		}

		(void)re_snprintf(sf->tls_uri, sizeof(sf->tls_uri),
				  "sip:%J;transport=tls", &laddr);
		log_info("sip: listening on %J (tls)", &laddr);
	}

	err = trunk_tls_prepare(sf, cfg);
	if (err)
		goto out;

	/* Ours first: sanity, REGISTER, OPTIONS; then sipsess. */
	err = sip_listen(&sf->lsnr, sf->sip, true,
			 sipfront_request_handler, sf);
	if (err)
		goto out;

	err = sipsess_listen(&sf->sock, sf->sip, SIP_HASH_SIZE,
			     b2bua_conn_handler, sf);
	if (err)
		goto out;

	(void)re_snprintf(sf->uri, sizeof(sf->uri), "sip:%J",
			  &cfg->sip_laddr);

	agentstatus_init(sf);

	log_info("sip: listening on %J (udp, tcp)", &cfg->sip_laddr);

 out:
	if (err)
		mem_deref(sf);
	else
		*sfp = sf;

	return err;
}


const char *sipfront_uri(const struct sipfront *sf)
{
	return sf ? sf->uri : NULL;
}


/** The URI of SIP over TLS, or NULL without it. */
const char *sipfront_tls_uri(const struct sipfront *sf)
{
	return sf && sf->tls_uri[0] ? sf->tls_uri : NULL;
}


/**
 * Start a graceful stop: end every call (BYE/CANCEL) and stop taking new
 * ones; the transactions finish while the loop still runs.
 */
void sipfront_close(struct sipfront *sf)
{
	if (!sf)
		return;

	sf->closing = true;
	b2bua_close_all(sf);
	agentstatus_close(sf);
	sip_close(sf->sip, false);
}
