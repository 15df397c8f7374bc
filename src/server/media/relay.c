/**
 * @file media/relay.c  RTP relay between the two legs of a call
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Payloads are forwarded as they are, so DTMF (telephone-event, RFC 4733)
 * and every codec pass through untouched.  The port after each RTP port is
 * bound too and RTCP is relayed the same way.
 *
 * What a leg receives must look like one RTP stream even when its source
 * changes (the queue tone, then the agent): phones drop packets whose
 * sequence numbers jump back after an SSRC change.  So the first source's
 * SSRC is kept on the wire, and a later source's sequence numbers and
 * timestamps are shifted to continue where the previous source stopped
 * (RFC 3550 5.1: seq increments by one, ts by the time elapsed).
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "common/media_srtp.h"
#include "media/media.h"


/* The one stream a leg hears, whatever feeds it. */
struct out_stream {
	bool started;
	uint32_t ssrc;          /* on the wire, kept */
	uint32_t src_ssrc;      /* of the current source */
	uint16_t seq_delta;
	uint32_t ts_delta;
	uint16_t last_seq;      /* last sent, on the wire */
	uint32_t last_ts;
	uint64_t last_ms;
};

struct relay_leg_sock {
	struct out_stream out;
	struct udp_sock *rtp;
	struct udp_sock *rtcp;
	struct media_srtp *srtp; /* SRTP on this leg's sockets, or NULL */
	struct sa peer;          /* where this leg's RTP goes */
	struct sa peer_rtcp;
	relay_recv_h *recvh;     /* sees what the leg receives, or NULL */
	void *arg;
	bool latched;
};

struct relay {
	struct relay_leg_sock legv[2];
	uint32_t clock_rate;
	struct relay_stats stats;
	bool bridged;
};


static void destructor(void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < 2; i++) {
		mem_deref(r->legv[i].srtp);    /* before its sockets */
		mem_deref(r->legv[i].rtp);
		mem_deref(r->legv[i].rtcp);
	}
}


/* Rewrite an outgoing RTP header in place so the leg hears one stream. */
static void out_stream_apply(struct relay *r, struct out_stream *os,
			     struct mbuf *mb)
{
	uint8_t *p = mbuf_buf(mb);
	uint64_t now = tmr_jiffies();
	uint32_t ssrc, ts;
	uint16_t seq;

	if (mbuf_get_left(mb) < 12 || (p[0] >> 6) != 2)
		return;

	seq  = (uint16_t)(p[2] << 8 | p[3]);
	ts   = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		(uint32_t)p[6] << 8 | p[7];
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		(uint32_t)p[10] << 8 | p[11];

	if (!os->started) {
		os->started = true;
		os->ssrc = os->src_ssrc = ssrc;
	}
	else if (ssrc != os->src_ssrc) {
		uint32_t elapsed = (uint32_t)((now - os->last_ms) *
					      r->clock_rate / 1000);

		os->src_ssrc = ssrc;
		os->seq_delta = (uint16_t)(os->last_seq + 1 - seq);
		os->ts_delta = os->last_ts + (elapsed ? elapsed : 1) - ts;
	}

	seq = (uint16_t)(seq + os->seq_delta);
	ts += os->ts_delta;
	os->last_seq = seq;
	os->last_ts = ts;
	os->last_ms = now;

	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(os->ssrc >> (24 - 8 * i));
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

		if (in->recvh) {
			const size_t pos = mb->pos;

			in->recvh(from, mb, in->arg);
			mb->pos = pos;
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

	out_stream_apply(r, &out->out, mb);
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

	r->clock_rate = 8000;

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


/**
 * Set the RTP clock rate of the codec in use (timestamps per second).
 */
void relay_set_clock(struct relay *r, uint32_t clock_rate)
{
	if (r && clock_rate)
		r->clock_rate = clock_rate;
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

	out_stream_apply(r, &l->out, mb);
	return udp_send(l->rtp, &l->peer, mb);
}


/**
 * Make a leg SRTP (SDES keys): what it sends is encrypted with ours,
 * what it receives must authenticate with the peer's or is dropped.
 *
 * @return 0 if success, otherwise errorcode
 */
int relay_set_srtp(struct relay *r, enum relay_leg leg,
		   const struct media_crypto *tx, const struct media_crypto *rx)
{
	struct relay_leg_sock *l;

	if (!r || !tx || !rx)
		return EINVAL;

	l = &r->legv[leg];
	l->srtp = mem_deref(l->srtp);

	return media_srtp_attach(&l->srtp, l->rtp, l->rtcp, tx, rx);
}


/** Packets a leg dropped for failing SRTP authentication. */
uint64_t relay_srtp_dropped(const struct relay *r, enum relay_leg leg)
{
	return r ? media_srtp_dropped(r->legv[leg].srtp) : 0;
}


void relay_stats(const struct relay *r, struct relay_stats *st)
{
	if (r && st)
		*st = r->stats;
}


/**
 * Let someone see the RTP a leg receives (an IVR listening for DTMF)
 *
 * @param r      Relay
 * @param leg    Leg to listen to
 * @param recvh  Handler, NULL to stop
 * @param arg    Handler argument
 */
void relay_set_recv_handler(struct relay *r, enum relay_leg leg,
			    relay_recv_h *recvh, void *arg)
{
	if (!r)
		return;

	r->legv[leg].recvh = recvh;
	r->legv[leg].arg = recvh ? arg : NULL;
}
