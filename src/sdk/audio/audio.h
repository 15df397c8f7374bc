/**
 * @file sdk/audio/audio.h  Audio engine internals (private to sdk/audio/)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the stream (stream.c) runs on the SDK loop thread and pulls one
 * 20 ms frame of mono 16-bit samples from its driver and pushes one frame
 * to it per tick, at the codec's internal rate (8 kHz for G.711, 48 kHz
 * for Opus).  A driver that needs a thread (alsa) owns that thread and
 * exchanges samples through its own locked ring buffer, so the driver
 * functions below are always called from the loop thread and never block.
 */

enum {
	LL__PTIME_MS  = 20,
	LL__MAX_FRAME = 48000 * LL__PTIME_MS / 1000,   /* samples, mono */
};


/* ---- Drivers (driver.c, drv_*.c) ------------------------------------- */

/**
 * An audio driver.  open() gets the capture and playout names from the
 * configuration ("" = the driver's default) and the internal rate; read()
 * fills exactly sampc samples (silence when it has nothing); write() takes
 * sampc samples.  Both return 0 or an errno; after an error the stream
 * reports LL__STREAM_ERROR once and carries on with silence.  The driver
 * state is a mem object: dereferencing it closes the device.
 */
struct ll__audrv {
	const char *name;
	int (*openh)(void **stp, const char *capture, const char *playout,
		     uint32_t srate);
	int (*readh)(void *st, int16_t *sampv, size_t sampc);
	int (*writeh)(void *st, const int16_t *sampv, size_t sampc);
};

extern const struct ll__audrv ll__audrv_file;
extern const struct ll__audrv ll__audrv_null;
extern const struct ll__audrv ll__audrv_alsa;

const struct ll__audrv *ll__audrv_find(const char *name);


/* ---- WAV files (wav.c) ----------------------------------------------- */

/* A WAV file read as mono samples at a chosen rate, looping. */
struct ll__wavsrc;

int  ll__wavsrc_alloc(struct ll__wavsrc **srcp, const char *path,
		      int loops);
size_t ll__wavsrc_read(struct ll__wavsrc *src, uint32_t srate,
		       int16_t *sampv, size_t sampc);
bool ll__wavsrc_done(const struct ll__wavsrc *src);

/* A WAV file written as mono 16-bit, its header kept valid. */
struct ll__wavsnk;

int  ll__wavsnk_alloc(struct ll__wavsnk **snkp, const char *path,
		      uint32_t srate);
int  ll__wavsnk_write(struct ll__wavsnk *snk, const int16_t *sampv,
		      size_t sampc);


/* ---- PCM helpers (pcm.c) --------------------------------------------- */

void     ll__pcm_gain(int16_t *sampv, size_t sampc, uint32_t pct);
void     ll__pcm_mix(int16_t *dst, const int16_t *src, size_t sampc);
double   ll__pcm_sumsq(const int16_t *sampv, size_t sampc);
uint32_t ll__pcm_level(double sumsq, uint64_t n);


/* ---- Codecs (codec.c) ------------------------------------------------ */

struct ll__codec;

uint32_t ll__codec_srate(const struct media_codec *mc);
int  ll__codec_alloc(struct ll__codec **cp, const struct media_codec *mc);
int  ll__codec_encode(struct ll__codec *c, uint8_t *buf, size_t *lenp,
		      const int16_t *sampv, size_t sampc);
int  ll__codec_decode(struct ll__codec *c, int16_t *sampv, size_t *sampcp,
		      const uint8_t *buf, size_t len);
int  ll__codec_conceal(struct ll__codec *c, int16_t *sampv,
		       size_t *sampcp, const uint8_t *next, size_t next_len);


/* ---- DTMF, RFC 4733 (dtmf.c) ----------------------------------------- */

enum {
	LL__DTMF_QUEUE = 32,
};

struct ll__dtmf_tx {
	char queue[LL__DTMF_QUEUE];
	size_t qlen;
	int event;               /* code being sent, -1 when idle     */
	uint32_t ts;             /* RTP timestamp of the event start  */
	uint32_t duration;       /* in timestamp units                */
	unsigned ends;           /* end packets sent so far           */
	unsigned gap;            /* frames of audio before the next   */
};

struct ll__dtmf_rx {
	bool active;             /* an event is being received        */
	bool reported;
	int event;
	uint32_t ts;
	uint64_t last_ms;        /* arrival of its latest packet      */
	char digits[LL__DTMF_QUEUE];  /* to report on the next tick   */
	size_t ndigits;
};

void ll__dtmf_tx_init(struct ll__dtmf_tx *tx);
int  ll__dtmf_tx_queue(struct ll__dtmf_tx *tx, char digit);
bool ll__dtmf_tx_frame(struct ll__dtmf_tx *tx, uint32_t ts,
		       uint32_t frame_ts, uint8_t payload[4], bool *marker,
		       uint32_t *ev_ts);
void ll__dtmf_rx_init(struct ll__dtmf_rx *rx);
void ll__dtmf_rx_packet(struct ll__dtmf_rx *rx, uint32_t ts,
			const uint8_t *p, size_t len, uint64_t now_ms);
void ll__dtmf_rx_poll(struct ll__dtmf_rx *rx, uint64_t now_ms);


/* ---- Quality (quality.c) --------------------------------------------- */

int ll__quality_grade(uint32_t loss_pct, uint32_t jitter_ms,
		      uint32_t rtt_ms, bool down);
