/**
 * @file sip/auth.c  SIP digest authentication (RFC 3261 22, RFC 2617)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Nonces are signed: "<unix time, hex>.<random, hex>.<HMAC-SHA1 of both,
 * hex>" under a key made at start-up, so any nonce we issued is recognised
 * for NONCE_TTL_S without a table of those issued; an older one is
 * answered with a new challenge marked stale.  The random part makes each
 * challenge's nonce its own, so that its counts below are one client's.
 *
 * Replays (RFC 7616 3.4, RFC 3261 22.4): a captured Authorization with a
 * right answer would otherwise be good for NONCE_TTL_S.  Once a digest is
 * right, its nonce-count must be higher than any accepted with that nonce
 * before (common/replay.c; a request without qop may use a nonce once),
 * and its digest-uri must be the Request-URI (RFC 2617 3.2.2.5), so that
 * an answer for one request is no answer for another.  A replay gets a new
 * challenge marked stale, as an old nonce does: a client that knows the
 * password answers it at once (libre's clients count up from 1 with each
 * nonce and take stale=true as the cue), one that only copied a request
 * cannot.  Credentials are either a staff extension with its password's
 * HA1, or the ephemeral credentials of POST /v1/login.
 *
 * Wrong credentials (an unknown user included) are counted per source
 * address and per username (config auth-fail-limit-address, -user,
 * auth-fail-window).  Past a limit the address, or the username from any
 * address, is refused for one window without a look at its credentials:
 * 403 "Too Many Failed Attempts" with Retry-After (RFC 3261 20.33).  403
 * rather than 503, since a 503 sends clients to another server of the
 * domain (RFC 3263) and the refusal is about these credentials; 429 is
 * HTTP's (RFC 6585) and no SIP phone knows it.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "common/ratelimit.h"
#include "common/replay.h"
#include "store/store.h"
#include "config.h"
#include "common/media_sdp.h"
#include "media/media.h"
#include "sip/sipint.h"


enum {
	NONCE_TTL_S = 300,
	NONCE_SZ    = 64,
};


static void nonce_make(const struct sipfront *sf, uint64_t t, uint64_t rnd,
		       char *buf, size_t sz)
{
	uint8_t mac[20];    /* HMAC-SHA1 */
	char head[40];

	(void)re_snprintf(head, sizeof(head), "%llx.%llx", t, rnd);
	hmac_sha1(sf->nonce_key, sizeof(sf->nonce_key), (uint8_t *)head,
		  strlen(head), mac, sizeof(mac));
	(void)re_snprintf(buf, sz, "%s.%w", head, mac, (size_t)10);
}


/*
 * 0 when the nonce is ours and fresh, with the time it was issued.
 * Anything else is ETIMEDOUT: the caller checks the digest first, so a
 * client that got here knows the password and only holds an old nonce, or
 * one from before a restart (the key is made at start-up); it gets a new
 * challenge marked stale.
 */
static int nonce_verify(const struct sipfront *sf, const struct pl *nonce,
			uint64_t *issued)
{
	char expect[NONCE_SZ];
	struct pl ts, rnd;
	uint64_t t, now = (uint64_t)time(NULL);

	if (nonce->l >= NONCE_SZ ||
	    re_regex(nonce->p, nonce->l, "[0-9a-f]+.[0-9a-f]+.", &ts, &rnd) ||
	    ts.l > 16 || rnd.l > 16)
		return ETIMEDOUT;

	t = pl_x64(&ts);
	nonce_make(sf, t, pl_x64(&rnd), expect, sizeof(expect));
	if (pl_strcmp(nonce, expect))
		return ETIMEDOUT;

	if (t > now + 5 || now - t > NONCE_TTL_S)
		return ETIMEDOUT;

	*issued = t;
	return 0;
}


/* RFC 7616 3.4: nc is exactly 8 hex digits; 0 stands for no qop. */
static int nc_decode(const struct httpauth_digest_resp *resp, uint32_t *nc)
{
	size_t i;

	*nc = 0;
	if (!pl_isset(&resp->qop))
		return 0;

	if (resp->nc.l != 8)
		return EBADMSG;
	for (i = 0; i < resp->nc.l; i++) {
		if (!isxdigit((unsigned char)resp->nc.p[i]))
			return EBADMSG;
	}

	*nc = pl_x32(&resp->nc);
	return *nc ? 0 : EBADMSG;
}


/*
 * The digest-uri names the Request-URI (RFC 2617 3.2.2.5), compared as
 * RFC 3261 19.1.4 does: user and password exactly, the rest without case;
 * parameters and headers are not compared.
 */
static bool uri_matches(const struct pl *dig, const struct uri *ruri)
{
	struct uri u;

	if (uri_decode(&u, dig))
		return false;

	return !pl_casecmp(&u.scheme, &ruri->scheme) &&
		!pl_cmp(&u.user, &ruri->user) &&
		!pl_cmp(&u.password, &ruri->password) &&
		!pl_casecmp(&u.host, &ruri->host) &&
		u.port == ruri->port;
}


/**
 * Set up digest authentication: the replay tracker of nonce-counts.
 *
 * @param sf SIP front end (nonce_key already made)
 *
 * @return 0 if success, otherwise errorcode
 */
int sipauth_init(struct sipfront *sf)
{
	return replay_alloc(&sf->replay, SIP_NONCE_MAX, NONCE_TTL_S);
}


int sipauth_challenge(struct sipfront *sf, const struct sip_msg *msg,
		      bool proxy, bool stale)
{
	char nonce[NONCE_SZ];

	nonce_make(sf, (uint64_t)time(NULL), rand_u64(), nonce,
		   sizeof(nonce));

	return sip_replyf(sf->sip, msg, proxy ? 407 : 401,
			  proxy ? "Proxy Authentication Required" :
			  "Unauthorized",
			  "%s: Digest realm=\"%s\", nonce=\"%s\","
			  " algorithm=MD5, qop=\"auth\"%s\r\n"
			  "Content-Length: 0\r\n\r\n",
			  proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
			  sf->cfg->realm, nonce,
			  stale ? ", stale=true" : "");
}


/**
 * Refuse a request of an address or username over its failure limit
 *
 * @param sf      SIP front end
 * @param msg     Request
 * @param trans   Reply in a server transaction (INVITE)
 * @param retry_s Retry-After in seconds
 *
 * @return 0 if success, otherwise errorcode
 */
int sipauth_refuse(struct sipfront *sf, const struct sip_msg *msg,
		   bool trans, uint32_t retry_s)
{
	if (trans)
		return sip_treplyf(NULL, NULL, sf->sip, msg, false, 403,
				   "Too Many Failed Attempts",
				   "Retry-After: %u\r\n"
				   "Content-Length: 0\r\n\r\n", retry_s);

	return sip_replyf(sf->sip, msg, 403, "Too Many Failed Attempts",
			  "Retry-After: %u\r\n"
			  "Content-Length: 0\r\n\r\n", retry_s);
}


static uint32_t blocked_s(struct ratelimit *rl, const char *key)
{
	const uint32_t ms = ratelimit_blocked(rl, key, tmr_jiffies());

	return ms ? (ms + 999) / 1000 : 0;
}


/* Count a failure; log once when it starts a block. */
static void failed(struct sipfront *sf, const char *addr,
		   const char *username)
{
	const struct config *cfg = sf->cfg;
	const uint64_t now = tmr_jiffies();

	if (ratelimit_fail(sf->rl_addr, addr, now))
		log_warn("sip: %u failed authentications from %s within %u s:"
			 " refused for %u s", cfg->auth_fail_addr, addr,
			 cfg->auth_fail_window_s, cfg->auth_fail_window_s);

	if (username && ratelimit_fail(sf->rl_user, username, now))
		log_warn("sip: %u failed authentications of user '%s' within"
			 " %u s: refused for %u s", cfg->auth_fail_user,
			 username, cfg->auth_fail_window_s,
			 cfg->auth_fail_window_s);
}


static int ha1_decode(uint8_t ha1[MD5_SIZE], const char *hex)
{
	if (strlen(hex) != 2 * MD5_SIZE)
		return EINVAL;

	return str_hex(ha1, MD5_SIZE, hex);
}


/* Find the credentials behind a digest username. */
static int identity_lookup(struct sipfront *sf, const struct pl *username,
			   struct sip_identity *id, uint8_t ha1[MD5_SIZE])
{
	struct store_sipcred cred;
	struct store_staff staff;
	int err;

	if (!username->l || username->l >= sizeof(id->username))
		return EACCES;

	(void)pl_strcpy(username, id->username, sizeof(id->username));

	if (0 == store_sipcred_get(sf->st, id->username, &cred) &&
	    cred.expires > (int64_t)time(NULL)) {
		str_ncpy(id->app, cred.sdk_app_id, sizeof(id->app));
		str_ncpy(id->user_id, cred.user_id, sizeof(id->user_id));
		return ha1_decode(ha1, cred.ha1);
	}

	err = store_staff_by_extension(sf->st, id->username, id->app,
				       sizeof(id->app), &staff);
	if (err || !staff.ha1[0])
		return EACCES;

	str_ncpy(id->user_id, staff.user_id, sizeof(id->user_id));

	return ha1_decode(ha1, staff.ha1);
}


/**
 * Check a request's digest credentials.
 *
 * @param sf     SIP front end
 * @param msg    Request
 * @param proxy  Look at Proxy-Authorization (INVITE) instead of
 *               Authorization (REGISTER)
 * @param id     Returned identity on success
 *
 * @return 0 if authenticated, ENOENT if no credentials were sent,
 *         ETIMEDOUT if the nonce is stale or the credentials a replay,
 *         EACCES if they are wrong,
 *         EAGAIN if the address or username is over its failure limit
 *         (id->retry_s is then set; see sipauth_refuse)
 */
int sipauth_check(struct sipfront *sf, const struct sip_msg *msg,
		  bool proxy, struct sip_identity *id)
{
	struct httpauth_digest_resp resp;
	const struct sip_hdr *hdr;
	uint8_t ha1[MD5_SIZE];
	char addr[RATELIMIT_KEY_SZ];
	uint64_t issued = 0;
	uint32_t nc;
	int err;

	memset(id, 0, sizeof(*id));
	(void)re_snprintf(addr, sizeof(addr), "%j", &msg->src);

	/* Refused before any work, challenge included. */
	id->retry_s = blocked_s(sf->rl_addr, addr);
	if (id->retry_s)
		return EAGAIN;

	hdr = sip_msg_hdr(msg, proxy ? SIP_HDR_PROXY_AUTHORIZATION :
			  SIP_HDR_AUTHORIZATION);
	if (!hdr)
		return ENOENT;

	if (httpauth_digest_response_decode(&resp, &hdr->val) ||
	    pl_strcmp(&resp.realm, sf->cfg->realm) ||
	    nc_decode(&resp, &nc) || !uri_matches(&resp.uri, &msg->uri)) {
		failed(sf, addr, NULL);
		return EACCES;
	}

	if (!resp.username.l || resp.username.l >= sizeof(id->username)) {
		failed(sf, addr, NULL);
		return EACCES;
	}
	(void)pl_strcpy(&resp.username, id->username, sizeof(id->username));

	id->retry_s = blocked_s(sf->rl_user, id->username);
	if (id->retry_s)
		return EAGAIN;

	err = identity_lookup(sf, &resp.username, id, ha1);
	if (!err)
		err = httpauth_digest_response_auth(&resp, &msg->met, ha1);
	memset(ha1, 0, sizeof(ha1));
	if (err) {
		failed(sf, addr, id->username);
		return EACCES;
	}

	/* A right answer to an old challenge: ask again (stale=true). */
	err = nonce_verify(sf, &resp.nonce, &issued);
	if (err)
		return err;

	/* A right answer given before: a replay, or overtaken by a later
	 * request of the same client; ask again (stale=true) either way. */
	err = replay_use(sf->replay, &resp.nonce, issued, nc,
			 (uint64_t)time(NULL));
	if (err) {
		log_info("sip: %r from %J: digest nonce-count %u of user '%s'"
			 " already used: new challenge", &msg->met, &msg->src,
			 nc, id->username);
		return ETIMEDOUT;
	}

	return 0;
}


/**
 * Authenticate a REGISTER or MESSAGE from an agent, and answer it when
 * that fails: a new challenge (marked stale for an old nonce) when no
 * valid credentials came, 403 when they are wrong.
 *
 * @param sf     SIP front end
 * @param msg    Request
 * @param id     Returned identity on success
 *
 * @return 0 if authenticated; otherwise the request has been answered
 */
int sipauth_agent(struct sipfront *sf, const struct sip_msg *msg,
		  struct sip_identity *id)
{
	int err;

	err = sipauth_check(sf, msg, false, id);
	switch (err) {

	case 0:
		return 0;

	case ENOENT:
	case ETIMEDOUT:
		(void)sipauth_challenge(sf, msg, false, err == ETIMEDOUT);
		return err;

	case EAGAIN:   /* too many failures: refused unchecked */
		(void)sipauth_refuse(sf, msg, false, id->retry_s);
		return err;

	default:
		log_info("sip: %r from %J for '%r': wrong credentials",
			 &msg->met, &msg->src, &msg->to.uri.user);
		(void)sip_reply(sf->sip, msg, 403, "Forbidden");
		return err;
	}
}
