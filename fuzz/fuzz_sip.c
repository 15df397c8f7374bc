/**
 * @file fuzz/fuzz_sip.c  SIP requests as the server's SIP front end sees
 *                        them
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is one datagram.  libre decodes it (sip_msg_decode, as its UDP
 * transport does) and the message goes where libre's listeners would send
 * it: the front end's request handler (sanity checks, Max-Forwards,
 * registrar, agent status MESSAGEs, OPTIONS), then, for a new INVITE the
 * handler leaves to sipsess, the B2BUA's new-call handler (service number
 * lookup, agent check, digest check).  Replies go to a discard address.
 *
 * Credentials for extension FUZZ_EXT are made right before the message
 * is handled (a nonce of this front end's, the Request-URI as digest-uri
 * and the response the password gives; the fuzzer keeps the rest of the
 * header), so that what lies
 * behind the digest check runs too: the registrar's Contact handling, the
 * agent status MESSAGE, an agent's outbound INVITE up to the trunk (none
 * is configured: no call is set up).
 * A front end is made per input, so that no transaction of one input
 * meets the next.  The loop does not run: nothing here waits for a timer.
 */
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "sip/sipfront.h"
#include "sip/sipint.h"
#include "fuzz.h"


enum {
	NONCE_SZ = 64,
};

static struct fuzz_server srv;


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fuzz_server_init(&srv))
		abort();

	return 0;
}


/* As sip/auth.c makes them, with the key the harness set; a new random
 * part each time, so that its nonce-count tracking lets each in. */
static void nonce_make(const struct sipfront *sf, char *buf, size_t sz)
{
	uint8_t mac[20];
	char head[40];

	(void)re_snprintf(head, sizeof(head), "%llx.%llx",
			  (uint64_t)time(NULL), rand_u64());
	hmac_sha1(sf->nonce_key, sizeof(sf->nonce_key), (uint8_t *)head,
		  strlen(head), mac, sizeof(mac));
	(void)re_snprintf(buf, sz, "%s.%w", head, mac, (size_t)10);
}


/*
 * The request again, its digest credentials for FUZZ_EXT answered right
 * (RFC 2617 3.2.2).  NULL when it has none for FUZZ_EXT.
 */
static struct mbuf *authorize(const struct sipfront *sf,
			      const struct sip_msg *msg)
{
	struct httpauth_digest_resp resp;
	const struct sip_hdr *hdr;
	uint8_t ha1[MD5_SIZE], ha2[MD5_SIZE], digest[MD5_SIZE];
	char nonce[NONCE_SZ];
	const uint8_t *buf = msg->mb->buf;
	struct mbuf *mb;
	size_t head;
	int err;

	hdr = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	if (!hdr)
		hdr = sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
	if (!hdr || httpauth_digest_response_decode(&resp, &hdr->val) ||
	    pl_strcmp(&resp.username, FUZZ_EXT))
		return NULL;

	nonce_make(sf, nonce, sizeof(nonce));

	err  = md5_printf(ha1, "%s:%s:%s", FUZZ_EXT, srv.cfg.realm,
			  FUZZ_PASSWORD);
	err |= md5_printf(ha2, "%r:%r", &msg->met, &msg->ruri);
	if (pl_isset(&resp.qop))
		err |= md5_printf(digest, "%w:%s:%r:%r:%r:%w",
				  ha1, sizeof(ha1), nonce, &resp.nc,
				  &resp.cnonce, &resp.qop, ha2, sizeof(ha2));
	else
		err |= md5_printf(digest, "%w:%s:%w", ha1, sizeof(ha1),
				  nonce, ha2, sizeof(ha2));
	if (err)
		return NULL;

	mb = mbuf_alloc(msg->mb->end + 256);
	if (!mb)
		return NULL;

	head = (size_t)((const uint8_t *)hdr->val.p - buf);
	err  = mbuf_write_mem(mb, buf, head);
	err |= mbuf_printf(mb, "Digest username=\"%r\", realm=\"%r\", "
			   "nonce=\"%s\", uri=\"%r\", response=\"%w\"",
			   &resp.username, &resp.realm, nonce, &msg->ruri,
			   digest, sizeof(digest));
	if (pl_isset(&resp.qop))
		err |= mbuf_printf(mb, ", qop=%r, nc=%r, cnonce=\"%r\"",
				   &resp.qop, &resp.nc, &resp.cnonce);
	err |= mbuf_write_mem(mb, buf + head + hdr->val.l,
			      msg->mb->end - head - hdr->val.l);
	if (err)
		return mem_deref(mb);

	mb->pos = 0;
	return mb;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sipfront *sf = NULL;
	struct sip_msg *msg = NULL;
	struct mbuf *mb, *authd;

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;

	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (sip_msg_decode(&msg, mb) || !msg->req)
		goto out;

	if (sipfront_alloc(&sf, &srv.cfg, srv.st, srv.acd))
		abort();
	memset(sf->nonce_key, 0, sizeof(sf->nonce_key));

	authd = authorize(sf, msg);
	if (authd) {
		msg = mem_deref(msg);
		mem_deref(mb);
		mb = authd;
		if (sip_msg_decode(&msg, mb) || !msg->req)
			goto out;
	}

	/* Where libre's UDP transport says it came from; port 9 discards */
	(void)sa_set_str(&msg->src, "127.0.0.1", 9);
	msg->dst = sf->laddr;
	msg->tp  = SIP_TRANSP_UDP;

	if (!sipfront_request_handler(msg, sf) &&
	    !pl_strcmp(&msg->met, "INVITE") && !pl_isset(&msg->to.tag))
		b2bua_conn_handler(msg, sf);

 out:
	mem_deref(msg);
	mem_deref(sf);
	mem_deref(mb);

	return 0;
}
