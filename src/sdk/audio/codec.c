/**
 * @file sdk/audio/codec.c  Opus, PCMU and PCMA: encode, decode, conceal
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Audio inside the engine is mono: 48 kHz for Opus (RFC 7587 fixes the
 * RTP clock at 48 kHz), 8 kHz for G.711.  Opus is encoded mono even when
 * the peer's fmtp says stereo=1, which RFC 7587 7.1 defines as a receive
 * preference, not a requirement; the decoder is mono too and folds down
 * whatever the peer sends.
 */
#include <string.h>
#include <opus/opus.h>
#include <re.h>
#include <rem.h>
#include "common/media_sdp.h"
#include "sdk/audio/stream.h"
#include "audio.h"


enum codec_kind {
	KIND_PCMU,
	KIND_PCMA,
	KIND_OPUS,
};

enum {
	OPUS_MAX_DECODE = 5760,   /* 120 ms at 48 kHz, Opus's longest   */
	OPUS_PLC_FRAMES = 10,     /* conceal 200 ms, then silence       */
	G711_PLC_FRAMES = 3,
};

/* Gain for the 1st, 2nd, 3rd repeated G.711 frame: a short fade, so a
 * lost packet is a dip rather than a click, and a gap becomes silence. */
static const uint32_t g711_fade_pct[G711_PLC_FRAMES] = {70, 40, 20};

struct ll__codec {
	enum codec_kind kind;
	OpusEncoder *enc;
	OpusDecoder *dec;
	int16_t last[LL__MAX_FRAME];  /* last decoded frame (G.711 PLC) */
	size_t last_n;                /* its length; also PLC length    */
	unsigned plc;                 /* consecutive concealed frames   */
};


static void destructor(void *arg)
{
	struct ll__codec *c = arg;

	if (c->enc)
		opus_encoder_destroy(c->enc);
	if (c->dec)
		opus_decoder_destroy(c->dec);
}


/**
 * Sample rate the engine runs at for a codec
 *
 * @param mc  Negotiated codec
 *
 * @return 48000 for Opus, 8000 for G.711, 0 if not supported
 */
uint32_t ll__codec_srate(const struct media_codec *mc)
{
	if (!mc)
		return 0;
	if (!str_casecmp(mc->name, "opus"))
		return 48000;
	if (!str_casecmp(mc->name, "PCMU") || !str_casecmp(mc->name, "PCMA"))
		return 8000;

	return 0;
}


/**
 * Codecs this SDK can encode and decode, for an SDP offer
 *
 * @param codecv  Array to fill
 * @param max     Its size
 *
 * @return Number of codecs written
 */
size_t ll__stream_codecs(struct media_codec *codecv, size_t max)
{
	static const struct media_codec table[] = {
		{"opus", 48000, 2, 111, "useinbandfec=1", 110},
		{"PCMU",  8000, 1,   0, "",               101},
		{"PCMA",  8000, 1,   8, "",               101},
	};
	size_t n = 0;

	if (!codecv)
		return 0;

	for (; n < max && n < ARRAY_SIZE(table); n++)
		codecv[n] = table[n];

	return n;
}


/**
 * Create an encoder and decoder for a negotiated codec
 *
 * @param cp  Returned codec state
 * @param mc  Negotiated codec
 *
 * @return 0 if success, ENOTSUP for a codec we do not have
 */
int ll__codec_alloc(struct ll__codec **cp, const struct media_codec *mc)
{
	struct ll__codec *c;
	int oerr, err = 0;

	if (!cp || !mc)
		return EINVAL;

	c = mem_zalloc(sizeof(*c), destructor);
	if (!c)
		return ENOMEM;

	if (!str_casecmp(mc->name, "PCMU")) {
		c->kind = KIND_PCMU;
		c->last_n = 160;
	}
	else if (!str_casecmp(mc->name, "PCMA")) {
		c->kind = KIND_PCMA;
		c->last_n = 160;
	}
	else if (!str_casecmp(mc->name, "opus") && mc->srate == 48000) {
		c->kind = KIND_OPUS;
		c->last_n = 960;
		c->enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP,
					     &oerr);
		c->dec = opus_decoder_create(48000, 1, &oerr);
		if (!c->enc || !c->dec) {
			err = ENOMEM;
			goto out;
		}

		/* The peer can use in-band FEC: then spend a little of the
		 * bitrate so that it can rebuild a lost frame. */
		if (strstr(mc->fmtp, "useinbandfec=1")) {
			(void)opus_encoder_ctl(c->enc,
					       OPUS_SET_INBAND_FEC(1));
			(void)opus_encoder_ctl(c->enc,
					    OPUS_SET_PACKET_LOSS_PERC(10));
		}
	}
	else {
		err = ENOTSUP;
	}

 out:
	if (err)
		mem_deref(c);
	else
		*cp = c;

	return err;
}


/**
 * Encode one frame
 *
 * @param c      Codec state
 * @param buf    Output buffer
 * @param lenp   In: its size; out: bytes written
 * @param sampv  Mono samples at the codec's internal rate
 * @param sampc  Number of samples (one 20 ms frame)
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__codec_encode(struct ll__codec *c, uint8_t *buf, size_t *lenp,
		     const int16_t *sampv, size_t sampc)
{
	opus_int32 n;

	if (!c || !buf || !lenp || !sampv)
		return EINVAL;

	switch (c->kind) {

	case KIND_PCMU:
	case KIND_PCMA:
		if (*lenp < sampc)
			return ENOMEM;
		for (size_t i = 0; i < sampc; i++) {
			buf[i] = c->kind == KIND_PCMU ?
				g711_pcm2ulaw(sampv[i]) :
				g711_pcm2alaw(sampv[i]);
		}
		*lenp = sampc;
		return 0;

	case KIND_OPUS:
		n = opus_encode(c->enc, sampv, (int)sampc, buf,
				(opus_int32)*lenp);
		if (n < 0)
			return EPROTO;
		*lenp = (size_t)n;
		return 0;
	}

	return EINVAL;
}


static void keep_last(struct ll__codec *c, const int16_t *sampv, size_t n)
{
	if (n > ARRAY_SIZE(c->last))
		n = ARRAY_SIZE(c->last);

	memcpy(c->last, sampv, n * sizeof(*sampv));
	c->last_n = n;
	c->plc = 0;
}


/**
 * Decode one received payload
 *
 * @param c       Codec state
 * @param sampv   Output buffer
 * @param sampcp  In: its size in samples; out: samples decoded
 * @param buf     Payload
 * @param len     Payload length
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__codec_decode(struct ll__codec *c, int16_t *sampv, size_t *sampcp,
		     const uint8_t *buf, size_t len)
{
	size_t n;
	int r;

	if (!c || !sampv || !sampcp || !buf || !len)
		return EINVAL;

	switch (c->kind) {

	case KIND_PCMU:
	case KIND_PCMA:
		n = len < *sampcp ? len : *sampcp;
		for (size_t i = 0; i < n; i++) {
			sampv[i] = c->kind == KIND_PCMU ?
				g711_ulaw2pcm(buf[i]) :
				g711_alaw2pcm(buf[i]);
		}
		break;

	case KIND_OPUS:
		r = opus_decode(c->dec, buf, (opus_int32)len, sampv,
				(int)*sampcp, 0);
		if (r <= 0)
			return EBADMSG;
		n = (size_t)r;
		break;

	default:
		return EINVAL;
	}

	keep_last(c, sampv, n);
	*sampcp = n;

	return 0;
}


/**
 * Make up one lost packet (packet loss concealment)
 *
 * Opus rebuilds the frame from the next packet's in-band FEC data when
 * that packet is at hand, else runs its own PLC (opus_decode with no
 * data).  G.711 repeats the last good frame, fading, then gives silence.
 *
 * @param c         Codec state
 * @param sampv     Output buffer
 * @param sampcp    In: its size in samples; out: samples produced
 * @param next      The packet after the lost one, or NULL
 * @param next_len  Its length
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__codec_conceal(struct ll__codec *c, int16_t *sampv,
		      size_t *sampcp, const uint8_t *next, size_t next_len)
{
	size_t n;
	int r;

	if (!c || !sampv || !sampcp)
		return EINVAL;

	n = c->last_n < *sampcp ? c->last_n : *sampcp;

	switch (c->kind) {

	case KIND_PCMU:
	case KIND_PCMA:
		if (c->plc < G711_PLC_FRAMES) {
			memcpy(sampv, c->last, n * sizeof(*sampv));
			ll__pcm_gain(sampv, n, g711_fade_pct[c->plc]);
		}
		else {
			memset(sampv, 0, n * sizeof(*sampv));
		}
		break;

	case KIND_OPUS:
		if (c->plc >= OPUS_PLC_FRAMES) {
			memset(sampv, 0, n * sizeof(*sampv));
			break;
		}
		r = opus_decode(c->dec, next, next ? (opus_int32)next_len : 0,
				sampv, (int)n, next ? 1 : 0);
		if (r <= 0)
			memset(sampv, 0, n * sizeof(*sampv));
		else
			n = (size_t)r;
		break;
	}

	++c->plc;
	*sampcp = n;

	return 0;
}
