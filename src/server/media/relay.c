/**
 * @file media/relay.c  RTP relay between the two legs of a call
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Packets are forwarded as they are (header and payload), so DTMF
 * (telephone-event, RFC 4733) and every codec pass through untouched.  The
 * port after each RTP port is bound too and RTCP is relayed the same way,
 * so that each end's reports reach the other.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "media/media.h"


struct relay_leg_sock {
	struct udp_sock *rtp;
	struct udp_sock *rtcp;
	struct sa peer;          /* where this leg's RTP goes */
	struct sa peer_rtcp;
	bool latched;
};

struct relay {
	struct relay_leg_sock legv[2];
	struct relay_stats stats;
	bool bridged;
};


static void destructor(void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < 2; i++) {
		mem_deref(r->legv[i].rtp);
		mem_deref(r->legv[i].rtcp);
	}
}


static void forward(struct relay *r, enum relay_leg from, bool rtcp,
		    const struct sa *src, struct mbuf *mb)
{
	struct relay_leg_sock *in = &r->legv[from];
	struct relay_leg_sock *out = &r->legv[!from];

	/* Symmetric RTP: answer where the peer really sends from. */
	if (rtcp) {
		in->peer_rtcp = *src;
	}
	else {
		++r->stats.pkts[from];
		if (!in->latched || !sa_cmp(&in->peer, src, SA_ALL)) {
			in->peer = *src;
			in->latched = true;
		}
	}

	if (!r->bridged)
		return;

	if (rtcp) {
		if (sa_isset(&out->peer_rtcp, SA_ALL))
			(void)udp_send(out->rtcp, &out->peer_rtcp, mb);
		return;
	}

	if (!sa_isset(&out->peer, SA_ALL))
		return;

	if (0 == udp_send(out->rtp, &out->peer, mb))
		++r->stats.fwd[from];
}


static void rtp_a_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	forward(arg, RELAY_A, false, src, mb);
}


static void rtp_b_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	forward(arg, RELAY_B, false, src, mb);
}


static void rtcp_a_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	forward(arg, RELAY_A, true, src, mb);
}


static void rtcp_b_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	forward(arg, RELAY_B, true, src, mb);
}


/* Bind an even RTP port and the RTCP port above it (RFC 3550 11). */
static int leg_listen(struct relay_leg_sock *leg, const struct sa *laddr,
		      udp_recv_h *rtph, udp_recv_h *rtcph, void *arg)
{
	for (int tries = 0; tries < 64; tries++) {
		struct sa a = *laddr;
		uint16_t port = 16384 + 2 * (rand_u16() % 8192);
		int err;

		sa_set_port(&a, port);
		err = udp_listen(&leg->rtp, &a, rtph, arg);
		if (err)
			continue;

		sa_set_port(&a, port + 1);
		err = udp_listen(&leg->rtcp, &a, rtcph, arg);
		if (!err)
			return 0;

		leg->rtp = mem_deref(leg->rtp);
	}

	return EADDRINUSE;
}


/**
 * Allocate a relay with one RTP/RTCP port pair per leg on laddr's IP.
 *
 * @param rp     Returned relay
 * @param laddr  Local IP address (port ignored)
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_alloc(struct relay **rp, const struct sa *laddr)
{
	struct relay *r;
	int err;

	if (!rp || !laddr)
		return EINVAL;

	r = mem_zalloc(sizeof(*r), destructor);
	if (!r)
		return ENOMEM;

	err = leg_listen(&r->legv[RELAY_A], laddr, rtp_a_handler,
			 rtcp_a_handler, r);
	if (err)
		goto out;

	err = leg_listen(&r->legv[RELAY_B], laddr, rtp_b_handler,
			 rtcp_b_handler, r);
	if (err)
		goto out;

	for (int i = 0; i < 2; i++) {
		(void)udp_sockbuf_set(r->legv[i].rtp, 256 * 1024);
		sa_init(&r->legv[i].peer, AF_UNSPEC);
		sa_init(&r->legv[i].peer_rtcp, AF_UNSPEC);
	}

 out:
	if (err)
		mem_deref(r);
	else
		*rp = r;

	return err;
}


uint16_t relay_port(const struct relay *r, enum relay_leg leg)
{
	struct sa a;

	if (!r || udp_local_get(r->legv[leg].rtp, &a))
		return 0;

	return sa_port(&a);
}


/**
 * Set where a leg's RTP goes until the peer's own packets show otherwise.
 */
void relay_set_peer(struct relay *r, enum relay_leg leg,
		    const struct sa *addr)
{
	struct relay_leg_sock *l;

	if (!r || !addr)
		return;

	l = &r->legv[leg];
	if (l->latched)
		return;

	l->peer = *addr;
	l->peer_rtcp = *addr;
	sa_set_port(&l->peer_rtcp, sa_port(addr) + 1);
}


void relay_bridge(struct relay *r, bool on)
{
	if (r)
		r->bridged = on;
}


/**
 * Send one packet of our own (a prompt) to a leg's peer.
 */
int relay_send(struct relay *r, enum relay_leg leg, struct mbuf *mb)
{
	struct relay_leg_sock *l;

	if (!r || !mb)
		return EINVAL;

	l = &r->legv[leg];
	if (!sa_isset(&l->peer, SA_ALL))
		return ENOTCONN;

	return udp_send(l->rtp, &l->peer, mb);
}


void relay_stats(const struct relay *r, struct relay_stats *st)
{
	if (r && st)
		*st = r->stats;
}
