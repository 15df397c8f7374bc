/**
 * @file sdk/audio/stream.c  One call's audio: RTP, jitter buffer, timing
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: everything here runs on the SDK loop thread.  A 20 ms timer
 * moves one frame each way per tick (capture -> encode -> RTP, jitter
 * buffer -> decode -> playout); the number of frames follows the clock,
 * not the ticks, so a late tick is caught up (as media/player.c does).
 * Events reach the call layer only from timer handlers, never from inside
 * libre's socket callbacks, and only after the timers are re-armed, so the
 * handler may dereference the stream.
 *
 * Receiving: symmetric RTP (RFC 4961): we send to where the peer's packets
 * come from, which is what works behind NAT and with peers whose SDP
 * address is not the one they send from.  To keep a stray sender from
 * taking the stream over, the source is latched on the first packet and
 * moves only when the current source has been silent for a second (the
 * peer changed networks).
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "common/media_srtp.h"
#include "sdk/audio/stream.h"
#include "audio.h"


enum {
	MAX_CATCHUP     = 5,        /* frames per tick when late          */
	QUALITY_MS      = 2000,
	DOWN_MS         = 2000,     /* nothing received: grade 6          */
	RELATCH_MS      = 1000,
	JB_MIN          = 1,        /* frames held before playout starts  */
	JB_MAX          = 10,       /* frames held at most (200 ms)       */
	JB_HIGH         = 4,        /* above this, drop one to cut delay  */
	MAX_GAP         = 10,       /* a larger jump in seq is a restart  */
	MAX_VOLUME      = 150,
	MIN_VOLUME_MS   = 100,
	MAX_VOLUME_MS   = 5000,
	MAX_PAYLOAD     = 1280,
	PFIFO_SIZE      = LL__MAX_FRAME + 5760,
	PORT_MIN        = 16384,
	PORT_MAX        = 65534,
	TELEV_SIZE      = 4,
};

struct ll__stream {
	struct tmr tmr;               /**< 20 ms media tick               */
	struct tmr tmr_quality;       /**< 2 s quality report             */
	struct tmr tmr_volume;        /**< Volume evaluation              */
	struct rtp_sock *rtp;
	struct media_srtp *srtp;      /**< SRTP on rtp's sockets, or NULL */
	struct media_crypto tx_key;   /**< ours and the peer's, if srtp   */
	struct media_crypto rx_key;
	char cname[16];               /**< Random RTCP CNAME (RFC 7022)   */
	struct ll__audio_cfg cfg;
	const struct ll__audrv *drv;
	void *dev;                    /**< Open driver state, or NULL     */
	uint32_t dev_srate;           /**< Rate the driver was opened at  */
	int dev_err;                  /**< Driver failure to report       */
	bool dev_failed;
	struct ll__codec *codec;
	struct media_codec mc;
	uint32_t srate;
	size_t frame_n;               /**< Samples per 20 ms              */
	bool started;
	bool mute;
	struct ll__wavsrc *music;
	struct ll__dtmf_tx dtx;
	struct ll__dtmf_rx drx;

	/* Sending */
	struct sa raddr;              /**< Where RTP goes (latched)       */
	uint32_t ts;
	bool marker;
	uint64_t start_ms;
	uint64_t frames;
	uint64_t psent;

	/* Receiving */
	bool rx_seen;
	uint32_t peer_ssrc;
	uint64_t last_rx_ms;          /**< Latest packet from raddr       */
	uint64_t precv;
	uint16_t max_seq;
	uint32_t cycles;
	uint32_t q_ext;               /**< Extended seq at last report    */
	uint64_t q_recv;              /**< precv at last report           */
	unsigned rr_fraction;         /**< Peer's RR: lost of our packets */
	struct jbuf *jb;
	unsigned jb_n;                /**< Frames in jb, as we count them */
	bool next_ok;
	uint16_t next_seq;            /**< Next audio seq to play         */
	struct mbuf *pend;            /**< Packet held after a gap        */
	uint16_t pend_seq;
	int16_t pfifo[PFIFO_SIZE];    /**< Decoded, not yet played        */
	size_t pfifo_n;

	/* Volume evaluation */
	uint32_t vol_ms;
	double cap_sq;
	double play_sq;
	uint64_t cap_n;
	uint64_t play_n;

	ll__stream_event_h *eh;
	void *arg;
	char msg[128];
};


static void tick_handler(void *arg);
static void quality_handler(void *arg);
static void volume_handler(void *arg);


static void destructor(void *arg)
{
	struct ll__stream *s = arg;

	tmr_cancel(&s->tmr);
	tmr_cancel(&s->tmr_quality);
	tmr_cancel(&s->tmr_volume);

	/* The driver first: the alsa driver joins its threads. */
	mem_deref(s->dev);
	mem_deref(s->srtp);          /* before its sockets */
	mem_deref(s->rtp);
	mem_deref(s->codec);
	mem_deref(s->jb);
	mem_deref(s->pend);
	mem_deref(s->music);
}


/* Call the event handler; false if the stream is gone after it. */
static bool emit(struct ll__stream *s, enum ll__stream_event ev,
		 const struct ll__stream_evdata *d)
{
	bool alive;

	if (!s->eh)
		return true;

	mem_ref(s);
	s->eh(ev, d, s->arg);
	alive = mem_nrefs(s) > 1;
	mem_deref(s);

	return alive;
}


static void drv_fail(struct ll__stream *s, int err, const char *what)
{
	if (s->dev_failed)
		return;

	s->dev_failed = true;
	s->dev_err = err;
	re_snprintf(s->msg, sizeof(s->msg), "audio %s (%s) failed: %m",
		    what, s->drv->name, err);
	log_warn("audio: %s; going on with silence", s->msg);
}


/* ---- Sending ---------------------------------------------------------- */


static int send_rtp(struct ll__stream *s, bool marker, uint8_t pt,
		    uint32_t ts, const uint8_t *p, size_t len)
{
	struct mbuf *mb;
	int err;

	/* rtp_send() writes the header into the headroom before pos. */
	mb = mbuf_alloc(RTP_HEADER_SIZE + len);
	if (!mb)
		return ENOMEM;

	mb->pos = mb->end = RTP_HEADER_SIZE;
	err = mbuf_write_mem(mb, p, len);
	if (err)
		goto out;
	mb->pos = RTP_HEADER_SIZE;

	err = rtp_send(s->rtp, &s->raddr, false, marker, pt, ts, mb);
	if (!err)
		++s->psent;

 out:
	mem_deref(mb);
	return err;
}


/* Capture one frame, mix, and send it (or a telephone-event instead). */
static void capture_frame(struct ll__stream *s)
{
	int16_t sampv[LL__MAX_FRAME];
	uint8_t payload[MAX_PAYLOAD];
	size_t len = sizeof(payload);
	const size_t n = s->frame_n;
	uint32_t ev_ts;
	bool marker;
	int err;

	if (s->dev && !s->dev_failed) {
		err = s->drv->readh(s->dev, sampv, n);
		if (err) {
			drv_fail(s, err, "capture");
			memset(sampv, 0, n * sizeof(*sampv));
		}
	}
	else {
		memset(sampv, 0, n * sizeof(*sampv));
	}

	ll__pcm_gain(sampv, n, s->cfg.capture_volume);

	/* The level is the microphone's, before mute, so that an app can
	 * tell an agent who speaks while muted. */
	if (s->vol_ms) {
		s->cap_sq += ll__pcm_sumsq(sampv, n);
		s->cap_n  += n;
	}

	if (s->mute)
		memset(sampv, 0, n * sizeof(*sampv));

	if (s->music) {
		int16_t m[LL__MAX_FRAME];

		(void)ll__wavsrc_read(s->music, s->srate, m, n);
		ll__pcm_mix(sampv, m, n);
		if (ll__wavsrc_done(s->music))
			s->music = mem_deref(s->music);
	}

	if (!sa_isset(&s->raddr, SA_ALL))
		goto out;

	if (s->mc.telev_pt >= 0 &&
	    ll__dtmf_tx_frame(&s->dtx, s->ts, (uint32_t)n, payload, &marker,
			      &ev_ts)) {
		(void)send_rtp(s, marker, (uint8_t)s->mc.telev_pt, ev_ts,
			       payload, TELEV_SIZE);
		goto out;
	}

	err = ll__codec_encode(s->codec, payload, &len, sampv, n);
	if (err)
		goto out;

	if (0 == send_rtp(s, s->marker, s->mc.pt, s->ts, payload, len))
		s->marker = false;

 out:
	/* Our codecs' RTP clocks run at the internal rate. */
	s->ts += (uint32_t)n;
}


/* ---- Receiving -------------------------------------------------------- */


static void latch(struct ll__stream *s, const struct sa *src, uint64_t now)
{
	struct sa rtcp;

	if (sa_cmp(src, &s->raddr, SA_ALL)) {
		s->last_rx_ms = now;
		return;
	}

	if (s->rx_seen && now - s->last_rx_ms < RELATCH_MS)
		return;

	log_info("audio: RTP comes from %J: sending there", src);
	s->raddr = *src;
	s->last_rx_ms = now;

	rtcp = *src;
	sa_set_port(&rtcp, sa_port(src) + 1);
	rtcp_start(s->rtp, s->cname, &rtcp);
}


static void reset_rx(struct ll__stream *s, uint32_t ssrc, uint16_t seq)
{
	jbuf_flush(s->jb);
	s->jb_n = 0;
	s->pend = mem_deref(s->pend);
	s->next_ok = false;
	s->peer_ssrc = ssrc;
	s->max_seq = seq;
	s->cycles = 0;
	s->q_ext = seq;
	s->q_recv = s->precv;
}


static void rtp_handler(const struct sa *src, const struct rtp_header *hdr,
			struct mbuf *mb, void *arg)
{
	struct ll__stream *s = arg;
	uint64_t now = tmr_jiffies();
	bool telev;
	int16_t d;

	if (!s->started || !mbuf_get_left(mb))
		return;

	telev = s->mc.telev_pt >= 0 && hdr->pt == s->mc.telev_pt;
	if (hdr->pt != s->mc.pt && !telev)
		return;

	latch(s, src, now);
	if (!sa_cmp(src, &s->raddr, SA_ALL))
		return;

	if (!s->rx_seen || hdr->ssrc != s->peer_ssrc)
		reset_rx(s, hdr->ssrc, hdr->seq);
	s->rx_seen = true;
	++s->precv;

	/* Extended highest sequence number (RFC 3550 A.1), for loss. */
	d = (int16_t)(hdr->seq - s->max_seq);
	if (d > 0) {
		if (hdr->seq < s->max_seq)
			s->cycles += 0x10000;
		s->max_seq = hdr->seq;
	}

	if (telev) {
		ll__dtmf_rx_packet(&s->drx, hdr->ts, mbuf_buf(mb),
				   mbuf_get_left(mb), now);
		return;
	}

	/* libre hands us a fresh mbuf per datagram: the jitter buffer
	 * keeps a reference rather than a copy. */
	if (0 == jbuf_put(s->jb, hdr, mb) && s->jb_n < JB_MAX)
		++s->jb_n;
}


static void rtcp_handler(const struct sa *src, struct rtcp_msg *msg,
			 void *arg)
{
	struct ll__stream *s = arg;
	const struct rtcp_rr *rrv;
	uint32_t count = msg->hdr.count;
	uint32_t ssrc = rtp_sess_ssrc(s->rtp);
	(void)src;

	if (msg->hdr.pt == RTCP_SR)
		rrv = msg->r.sr.rrv;
	else if (msg->hdr.pt == RTCP_RR)
		rrv = msg->r.rr.rrv;
	else
		return;

	for (uint32_t i = 0; i < count && rrv; i++) {
		if (rrv[i].ssrc == ssrc)
			s->rr_fraction = rrv[i].fraction;
	}
}


/* Next packet's worth of audio into out: decoded, concealed, or silence
 * while nothing has been received yet. */
static void next_audio(struct ll__stream *s, int16_t *out, size_t *np)
{
	struct rtp_header hdr;
	void *mem;

	if (!s->rx_seen) {
		*np = s->frame_n;
		memset(out, 0, *np * sizeof(*out));
		return;
	}

	if (s->pend) {
		struct mbuf *mb = s->pend;

		if (s->pend_seq == s->next_seq) {
			s->pend = NULL;
			++s->next_seq;
			if (ll__codec_decode(s->codec, out, np, mbuf_buf(mb),
					     mbuf_get_left(mb)))
				(void)ll__codec_conceal(s->codec, out, np,
							NULL, 0);
			mem_deref(mb);
			return;
		}

		/* Still a hole before it: conceal, from its FEC data when
		 * it is the very next one. */
		if ((uint16_t)(s->pend_seq - s->next_seq) == 1)
			(void)ll__codec_conceal(s->codec, out, np,
						mbuf_buf(mb),
						mbuf_get_left(mb));
		else
			(void)ll__codec_conceal(s->codec, out, np, NULL, 0);
		++s->next_seq;
		return;
	}

	for (;;) {
		struct mbuf *mb;
		int16_t gap;

		if (jbuf_get(s->jb, &hdr, &mem)) {
			/* Underflow: late or lost, we cannot tell yet.  The
			 * next packet is still awaited, so the delay grows
			 * by a frame; JB_HIGH takes it back. */
			(void)ll__codec_conceal(s->codec, out, np, NULL, 0);
			return;
		}
		mb = mem;
		if (s->jb_n)
			--s->jb_n;

		gap = (int16_t)(hdr.seq - s->next_seq);
		if (s->next_ok && gap < 0) {
			mem_deref(mb);           /* already played over */
			continue;
		}

		/* Too much delay built up: skip one packet. */
		if (s->jb_n > JB_HIGH) {
			s->next_seq = hdr.seq + 1;
			s->next_ok = true;
			mem_deref(mb);
			continue;
		}

		if (s->next_ok && gap > 0 && gap <= MAX_GAP) {
			s->pend = mb;
			s->pend_seq = hdr.seq;
			if (gap == 1)
				(void)ll__codec_conceal(s->codec, out, np,
							mbuf_buf(mb),
							mbuf_get_left(mb));
			else
				(void)ll__codec_conceal(s->codec, out, np,
							NULL, 0);
			++s->next_seq;
			return;
		}

		s->next_seq = hdr.seq + 1;
		s->next_ok = true;
		if (ll__codec_decode(s->codec, out, np, mbuf_buf(mb),
				     mbuf_get_left(mb)))
			(void)ll__codec_conceal(s->codec, out, np, NULL, 0);
		mem_deref(mb);
		return;
	}
}


static void playout_frame(struct ll__stream *s)
{
	int16_t sampv[LL__MAX_FRAME];
	const size_t n = s->frame_n;
	int err;

	/* Packets may hold more or less than 20 ms (a peer's ptime, Opus
	 * frames up to 120 ms): decode into a FIFO, play 20 ms of it. */
	while (s->pfifo_n < n) {
		size_t got = PFIFO_SIZE - s->pfifo_n;

		next_audio(s, s->pfifo + s->pfifo_n, &got);
		if (!got) {
			memset(s->pfifo + s->pfifo_n, 0,
			       (n - s->pfifo_n) * sizeof(int16_t));
			s->pfifo_n = n;
		}
		s->pfifo_n += got;
	}

	memcpy(sampv, s->pfifo, n * sizeof(*sampv));
	s->pfifo_n -= n;
	memmove(s->pfifo, s->pfifo + n, s->pfifo_n * sizeof(int16_t));

	ll__pcm_gain(sampv, n, s->cfg.playout_volume);

	if (s->vol_ms) {
		s->play_sq += ll__pcm_sumsq(sampv, n);
		s->play_n  += n;
	}

	if (s->dev && !s->dev_failed) {
		err = s->drv->writeh(s->dev, sampv, n);
		if (err)
			drv_fail(s, err, "playout");
	}
}


/* ---- Timers ----------------------------------------------------------- */


/*
 * The media tick: capture and send, then receive and play, once per
 * 20 ms of wall clock; then report received digits and a failed driver.
 */
static void tick_handler(void *arg)
{
	struct ll__stream *s = arg;
	struct ll__stream_evdata d;
	uint64_t now = tmr_jiffies();
	uint64_t due = (now - s->start_ms) / LL__PTIME_MS + 1;
	uint64_t next;
	unsigned n = 0;

	while (s->frames < due && n++ < MAX_CATCHUP) {
		capture_frame(s);
		playout_frame(s);
		++s->frames;
	}

	/* Too far behind (a stalled loop): skip rather than burst. */
	if (s->frames < due)
		s->frames = due;

	next = s->start_ms + s->frames * LL__PTIME_MS;
	tmr_start(&s->tmr, next > now ? next - now : 1, tick_handler, s);

	ll__dtmf_rx_poll(&s->drx, now);

	if (s->drx.ndigits) {
		char digits[LL__DTMF_QUEUE];
		size_t nd = s->drx.ndigits;

		memcpy(digits, s->drx.digits, nd);
		s->drx.ndigits = 0;

		for (size_t i = 0; i < nd; i++) {
			memset(&d, 0, sizeof(d));
			d.digit = digits[i];
			if (!emit(s, LL__STREAM_DTMF, &d))
				return;
		}
	}

	if (s->dev_err) {
		memset(&d, 0, sizeof(d));
		d.err = s->dev_err;
		d.msg = s->msg;
		s->dev_err = 0;
		(void)emit(s, LL__STREAM_ERROR, &d);
	}
}


static void quality_handler(void *arg)
{
	struct ll__stream *s = arg;
	struct ll__stream_evdata d;
	struct rtcp_stats st;
	uint64_t now = tmr_jiffies();
	uint64_t since;
	uint32_t ext, expected, loss;
	uint64_t recv;

	tmr_start(&s->tmr_quality, QUALITY_MS, quality_handler, s);

	memset(&d, 0, sizeof(d));
	memset(&st, 0, sizeof(st));

	if (s->rx_seen)
		(void)rtcp_stats(s->rtp, s->peer_ssrc, &st);

	/* Loss down over the interval, from our own counters: RTCP's
	 * cumulative figures would hide a burst in a long call. */
	ext = s->cycles + s->max_seq;
	expected = ext - s->q_ext;
	recv = s->precv - s->q_recv;
	loss = expected > recv ?
		(uint32_t)((expected - recv) * 100 / expected) : 0;
	s->q_ext = ext;
	s->q_recv = s->precv;

	since = s->rx_seen ? s->last_rx_ms : s->start_ms;

	d.rtt_ms           = st.rtt / 1000;
	d.jitter_ms        = st.rx.jit / 1000;
	d.loss_pct_down    = loss;
	d.loss_pct_up      = s->rr_fraction * 100 / 256;
	d.packets_sent     = s->psent;
	d.packets_received = s->precv;
	d.quality = ll__quality_grade(MAX(d.loss_pct_down, d.loss_pct_up),
				      d.jitter_ms, d.rtt_ms,
				      now - since >= DOWN_MS);

	(void)emit(s, LL__STREAM_QUALITY, &d);
}


static void volume_handler(void *arg)
{
	struct ll__stream *s = arg;
	struct ll__stream_evdata d;

	tmr_start(&s->tmr_volume, s->vol_ms, volume_handler, s);

	memset(&d, 0, sizeof(d));
	d.capture_level = ll__pcm_level(s->cap_sq, s->cap_n);
	d.playout_level = ll__pcm_level(s->play_sq, s->play_n);
	s->cap_sq = s->play_sq = 0.0;
	s->cap_n = s->play_n = 0;

	(void)emit(s, LL__STREAM_VOLUME, &d);
}


/* ---- API -------------------------------------------------------------- */


/**
 * Create a stream and bind its RTP/RTCP sockets
 *
 * RTP gets an even port on laddr's IP and RTCP the next one (RFC 3550
 * 11).  No audio device is opened yet: that waits for ll__stream_start(),
 * when the call is up, so a ringing call never touches the microphone.
 *
 * @param sp     Returned stream; mem_deref() it to stop and free
 * @param laddr  Local IP address (port ignored)
 * @param cfg    Audio driver and volumes (copied)
 * @param eh     Event handler, called on the loop thread; it may
 *               mem_deref() the stream
 * @param arg    Handler argument
 *
 * @return 0 if success, ENOTSUP for an unknown driver, otherwise errorcode
 */
int ll__stream_alloc(struct ll__stream **sp, const struct sa *laddr,
		     const struct ll__audio_cfg *cfg,
		     ll__stream_event_h *eh, void *arg)
{
	struct ll__stream *s;
	int err;

	if (!sp || !laddr || !cfg)
		return EINVAL;

	s = mem_zalloc(sizeof(*s), destructor);
	if (!s)
		return ENOMEM;

	s->cfg = cfg[0];
	s->cfg.driver[sizeof(s->cfg.driver) - 1] = '\0';
	s->cfg.capture[sizeof(s->cfg.capture) - 1] = '\0';
	s->cfg.playout[sizeof(s->cfg.playout) - 1] = '\0';
	s->cfg.capture_volume = MIN(s->cfg.capture_volume, MAX_VOLUME);
	s->cfg.playout_volume = MIN(s->cfg.playout_volume, MAX_VOLUME);
	s->eh  = eh;
	s->arg = arg;
	s->marker = true;
	s->ts = rand_u32();
	ll__dtmf_tx_init(&s->dtx);
	ll__dtmf_rx_init(&s->drx);
	sa_init(&s->raddr, AF_UNSPEC);

	/* A random CNAME: RFC 7022 asks that it not identify the user. */
	re_snprintf(s->cname, sizeof(s->cname), "%08x%04x", rand_u32(),
		    rand_u16());

	s->drv = ll__audrv_find(str_isset(s->cfg.driver) ?
				s->cfg.driver : "null");
	if (!s->drv) {
		log_warn("audio: no audio driver \"%s\"", s->cfg.driver);
		err = ENOTSUP;
		goto out;
	}

	err = jbuf_alloc(&s->jb, JB_MIN, JB_MAX);
	if (err)
		goto out;

	err = rtp_listen(&s->rtp, IPPROTO_UDP, laddr, PORT_MIN, PORT_MAX,
			 true, rtp_handler, rtcp_handler, s);
	if (err) {
		log_warn("audio: no RTP port on %j: %m", laddr, err);
		goto out;
	}

 out:
	if (err)
		mem_deref(s);
	else
		*sp = s;

	return err;
}


/**
 * Make the stream SRTP: what it sends is encrypted with tx, what it
 * receives must authenticate with rx or is dropped.  Before the first
 * packet (ll__stream_start).
 *
 * @param s   Stream
 * @param tx  Our key (in our a=crypto)
 * @param rx  The peer's key (in its a=crypto)
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__stream_set_srtp(struct ll__stream *s, const struct media_crypto *tx,
			const struct media_crypto *rx)
{
	if (!s || !tx || !rx || s->srtp)
		return EINVAL;

	s->tx_key = *tx;
	s->rx_key = *rx;

	return media_srtp_attach(&s->srtp, rtp_sock(s->rtp),
				 rtcp_sock(s->rtp), tx, rx);
}


/**
 * Local RTP port, for the SDP
 *
 * @param s  Stream
 *
 * @return RTP port (RTCP is the next one), 0 if none
 */
uint16_t ll__stream_lport(const struct ll__stream *s)
{
	return s && s->rtp ? sa_port(rtp_local(s->rtp)) : 0;
}


/**
 * Move the RTP/RTCP sockets to another local address
 *
 * The host's address changed (Wi-Fi to cellular): the old sockets are
 * bound to an address that is gone.  New ones are bound on laddr's IP
 * and the stream goes on with them: same codec, same peer address, same
 * timestamps (a new SSRC and sequence, as after a restart of the sender;
 * the marker bit flags the discontinuity).
 *
 * @param s      Stream
 * @param laddr  New local IP address (port ignored)
 *
 * @return 0 if success, otherwise errorcode (the old sockets are kept)
 */
int ll__stream_rebind(struct ll__stream *s, const struct sa *laddr)
{
	struct rtp_sock *rtp = NULL;
	int err;

	if (!s || !laddr)
		return EINVAL;

	err = rtp_listen(&rtp, IPPROTO_UDP, laddr, PORT_MIN, PORT_MAX,
			 true, rtp_handler, rtcp_handler, s);
	if (err) {
		log_warn("audio: no RTP port on the new address: %m", err);
		return err;
	}

	/* SRTP goes on with the same keys: the new SSRC gives new
	 * keystreams (RFC 3711 4.1.1), and the server keeps our key. */
	if (s->srtp) {
		struct media_srtp *srtp = NULL;

		err = media_srtp_attach(&srtp, rtp_sock(rtp), rtcp_sock(rtp),
					&s->tx_key, &s->rx_key);
		if (err) {
			mem_deref(rtp);
			return err;
		}

		mem_deref(s->srtp);
		s->srtp = srtp;
	}

	mem_deref(s->rtp);
	s->rtp = rtp;
	s->marker = true;

	if (s->started) {
		rtcp_set_srate(s->rtp, s->srate, s->srate);

		if (sa_isset(&s->raddr, SA_ALL)) {
			struct sa rtcp = s->raddr;

			sa_set_port(&rtcp, sa_port(&s->raddr) + 1);
			rtcp_start(s->rtp, s->cname, &rtcp);
		}
	}

	return 0;
}


/**
 * Start (or update) media once the codec is agreed
 *
 * Opens the audio driver at the codec's rate and starts the 20 ms tick
 * and the 2 s quality reports.  Called again (a re-INVITE), it takes the
 * new address and codec; the driver is reopened only when the rate
 * changes (a playout file is then started anew).
 *
 * @param s      Stream
 * @param codec  Negotiated codec (copied)
 * @param raddr  Peer's SDP address; unset to wait for its packets
 *
 * @return 0 if success, ENOTSUP for a codec we lack, or the driver's
 *         error: ENOENT (no file), EBADMSG (not a WAV file), ENOTSUP
 *         (WAV not 16-bit PCM), ENODEV (no such sound device), ...;
 *         on error the stream is left as it was
 */
int ll__stream_start(struct ll__stream *s, const struct media_codec *codec,
		     const struct sa *raddr)
{
	struct ll__codec *c = NULL;
	void *dev = NULL;
	uint32_t srate;
	int err;

	if (!s || !codec)
		return EINVAL;

	srate = ll__codec_srate(codec);
	if (!srate)
		return ENOTSUP;

	err = ll__codec_alloc(&c, codec);
	if (err)
		goto out;

	if (!s->dev || s->dev_srate != srate) {
		err = s->drv->openh(&dev, s->cfg.capture, s->cfg.playout,
				    srate);
		if (err) {
			log_warn("audio: %s driver: cannot open "
				 "(capture \"%s\", playout \"%s\"): %m",
				 s->drv->name, s->cfg.capture,
				 s->cfg.playout, err);
			goto out;
		}
		mem_deref(s->dev);
		s->dev = dev;
		s->dev_srate = srate;
		s->dev_failed = false;
		dev = NULL;
	}

	mem_deref(s->codec);
	s->codec = c;
	c = NULL;

	/* Another codec: what is buffered was meant for the old one. */
	if (s->started && (s->mc.pt != codec->pt || s->srate != srate)) {
		reset_rx(s, s->peer_ssrc, s->max_seq);
		s->rx_seen = false;
		s->pfifo_n = 0;
		ll__dtmf_tx_init(&s->dtx);
	}

	s->mc = *codec;
	s->srate = srate;
	s->frame_n = srate * LL__PTIME_MS / 1000;

	if (raddr && sa_isset(raddr, SA_ALL)) {
		struct sa rtcp = *raddr;

		s->raddr = *raddr;
		sa_set_port(&rtcp, sa_port(raddr) + 1);
		rtcp_start(s->rtp, s->cname, &rtcp);
	}
	rtcp_set_srate(s->rtp, srate, srate);

	if (!s->started) {
		s->started = true;
		s->start_ms = tmr_jiffies();
		s->frames = 0;
		tmr_start(&s->tmr, 0, tick_handler, s);
		tmr_start(&s->tmr_quality, QUALITY_MS, quality_handler, s);
		if (s->vol_ms)
			tmr_start(&s->tmr_volume, s->vol_ms,
				  volume_handler, s);
	}

	log_info("audio: %s/%u pt %u, telephone-event %d, to %J, driver %s",
		 codec->name, srate, codec->pt, codec->telev_pt, &s->raddr,
		 s->drv->name);

 out:
	mem_deref(c);
	mem_deref(dev);

	return err;
}


/**
 * Mute or unmute the microphone; RTP keeps flowing, with silence
 *
 * @param s     Stream
 * @param mute  true to mute
 */
void ll__stream_set_mute(struct ll__stream *s, bool mute)
{
	if (s)
		s->mute = mute;
}


/**
 * Send a DTMF digit as an RFC 4733 telephone-event
 *
 * @param s      Stream
 * @param digit  0-9, *, #, A-D
 *
 * @return 0 if queued, EINVAL for another character, ENOTCONN before
 *         ll__stream_start(), ENOTSUP when the peer has no
 *         telephone-event, EOVERFLOW when 32 digits are already waiting
 */
int ll__stream_send_dtmf(struct ll__stream *s, char digit)
{
	if (!s)
		return EINVAL;
	if (!s->started)
		return ENOTCONN;
	if (s->mc.telev_pt < 0)
		return ENOTSUP;

	return ll__dtmf_tx_queue(&s->dtx, digit);
}


/**
 * Mix a WAV file into what the other side hears
 *
 * Replaces music already playing.  The file is opened and checked now.
 *
 * @param s      Stream
 * @param path   16-bit PCM WAV, any rate, mono or stereo
 * @param loops  Times to play it; 0 or less until stopped
 *
 * @return 0 if success, ENOENT, EBADMSG, ENOTSUP or ENODATA for a file
 *         that cannot be played
 */
int ll__stream_play_music(struct ll__stream *s, const char *path, int loops)
{
	struct ll__wavsrc *src;
	int err;

	if (!s || !str_isset(path))
		return EINVAL;

	err = ll__wavsrc_alloc(&src, path, loops);
	if (err)
		return err;

	mem_deref(s->music);
	s->music = src;

	return 0;
}


/**
 * Stop the music, if any
 *
 * @param s  Stream
 */
void ll__stream_stop_music(struct ll__stream *s)
{
	if (s)
		s->music = mem_deref(s->music);
}


/**
 * Set the capture and playout volumes
 *
 * @param s        Stream
 * @param capture  Percent, 0..150 (larger is taken as 150)
 * @param playout  Percent, 0..150
 */
void ll__stream_set_volume(struct ll__stream *s, uint32_t capture,
			   uint32_t playout)
{
	if (!s)
		return;

	s->cfg.capture_volume = MIN(capture, MAX_VOLUME);
	s->cfg.playout_volume = MIN(playout, MAX_VOLUME);
}


/**
 * Report capture and playout levels (LL__STREAM_VOLUME) periodically
 *
 * @param s            Stream
 * @param interval_ms  100..5000, or 0 to stop
 *
 * @return 0 if success, EINVAL for an interval out of range
 */
int ll__stream_enable_volume(struct ll__stream *s, uint32_t interval_ms)
{
	if (!s)
		return EINVAL;

	if (interval_ms &&
	    (interval_ms < MIN_VOLUME_MS || interval_ms > MAX_VOLUME_MS))
		return EINVAL;

	s->vol_ms = interval_ms;
	s->cap_sq = s->play_sq = 0.0;
	s->cap_n = s->play_n = 0;

	if (!interval_ms)
		tmr_cancel(&s->tmr_volume);
	else if (s->started)
		tmr_start(&s->tmr_volume, interval_ms, volume_handler, s);

	return 0;
}
