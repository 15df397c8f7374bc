/**
 * @file sdk/audio/stream.h  The SDK's audio stream for one call (internal)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the contract between the call layer (sdk/call.c: SIP, SDP) and
 * the audio engine (sdk/audio/): one stream per call, one RTP/RTCP socket
 * pair, one codec once negotiated.  Everything here runs on the SDK's loop
 * thread; the audio driver may run a thread of its own and hands frames to
 * and from the stream through a lock-protected buffer, never through libre
 * objects.  The SDP itself is common/media_sdp.h.
 *
 *  capture:  driver -> volume -> mute -> + music -> encode -> RTP
 *  playout:  RTP -> jitter buffer -> decode (or conceal a loss) -> volume
 *            -> driver
 */

struct ll__stream;
struct ll__audio_cfg;

/* Audio drivers: "file", "null", "alsa" */
struct ll__audio_cfg {
	char driver[16];
	char capture[256];      /* file path or device; "" = default */
	char playout[256];
	uint32_t capture_volume;   /* percent, 0..150 */
	uint32_t playout_volume;
};

enum ll__stream_event {
	LL__STREAM_DTMF = 0,      /* digit received (RFC 4733 end of event) */
	LL__STREAM_VOLUME,        /* capture/playout levels, when enabled */
	LL__STREAM_QUALITY,       /* every 2 s: grade 1..6 and statistics */
	LL__STREAM_ERROR,         /* the driver failed: err, msg */
};

struct ll__stream_evdata {
	char digit;
	uint32_t capture_level;   /* 0..100 */
	uint32_t playout_level;
	int quality;              /* 1 excellent .. 6 down */
	uint32_t rtt_ms;
	uint32_t jitter_ms;
	uint32_t loss_pct_up;
	uint32_t loss_pct_down;
	uint64_t packets_sent;
	uint64_t packets_received;
	int err;
	const char *msg;
};

typedef void (ll__stream_event_h)(enum ll__stream_event ev,
				  const struct ll__stream_evdata *data,
				  void *arg);

/* Codecs this SDK can encode and decode, in preference order (Opus
 * first, then PCMU, PCMA), with telephone-event; for an SDP offer. */
size_t ll__stream_codecs(struct media_codec *codecv, size_t max);

/* Bind the RTP/RTCP sockets on laddr's IP (port ignored). */
int  ll__stream_alloc(struct ll__stream **sp, const struct sa *laddr,
		      const struct ll__audio_cfg *cfg,
		      ll__stream_event_h *eh, void *arg);
uint16_t ll__stream_lport(const struct ll__stream *s);

/* SRTP (SDES keys, common/media_sdp.h) on the stream's sockets. */
int  ll__stream_set_srtp(struct ll__stream *s, const struct media_crypto *tx,
			 const struct media_crypto *rx);

/* Move the RTP/RTCP sockets to laddr's IP (the host's address changed);
 * the codec, the peer and the audio go on.  New port: ll__stream_lport. */
int  ll__stream_rebind(struct ll__stream *s, const struct sa *laddr);

/* Start sending and receiving once the codec is agreed; raddr is the
 * peer's SDP address (latched to where its packets come from). */
int  ll__stream_start(struct ll__stream *s, const struct media_codec *codec,
		      const struct sa *raddr);
void ll__stream_set_mute(struct ll__stream *s, bool mute);
int  ll__stream_send_dtmf(struct ll__stream *s, char digit);
int  ll__stream_play_music(struct ll__stream *s, const char *path,
			   int loops);
void ll__stream_stop_music(struct ll__stream *s);
void ll__stream_set_volume(struct ll__stream *s, uint32_t capture,
			   uint32_t playout);
int  ll__stream_enable_volume(struct ll__stream *s, uint32_t interval_ms);
