/**
 * @file ivr/inband.c  DTMF tones in a caller's G.711 audio
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * For callers that do not send RFC 4733 telephone-events (old gateways,
 * phones set to in-band DTMF): the audio is decoded to linear PCM and run
 * through librem's detector (<rem_dtmf.h>: dtmf_dec_alloc(&dec, srate,
 * channels, handler, arg), dtmf_dec_probe(dec, samples, count); it checks
 * the ITU-T Q.24 power, twist and relative levels per block and reports
 * a digit once per tone).  G.711 is always 8 kHz mono.
 */
#include <re.h>
#include <rem.h>
#include "ivr/ivr.h"


enum {
	SRATE     = 8000,
	CHUNK     = 160,    /* decoded and probed 20 ms at a time */
	FRAME_MAX = 1920,   /* 240 ms: more in one packet is not audio */
};

struct ivr_inband {
	struct dtmf_dec *dec;
	ivr_digit_h *digith;
	void *arg;
};


static void destructor(void *arg)
{
	struct ivr_inband *ib = arg;

	mem_deref(ib->dec);
}


static void dec_handler(char digit, void *arg)
{
	struct ivr_inband *ib = arg;

	ib->digith(digit, ib->arg);
}


/**
 * Allocate an in-band DTMF detector
 *
 * @param ibp    Returned detector
 * @param digith Called once for each digit detected
 * @param arg    Handler argument
 *
 * @return 0 if success, otherwise errorcode
 */
int ivr_inband_alloc(struct ivr_inband **ibp, ivr_digit_h *digith,
		     void *arg)
{
	struct ivr_inband *ib;
	int err;

	if (!ibp || !digith)
		return EINVAL;

	ib = mem_zalloc(sizeof(*ib), destructor);
	if (!ib)
		return ENOMEM;

	ib->digith = digith;
	ib->arg = arg;

	err = dtmf_dec_alloc(&ib->dec, SRATE, 1, dec_handler, ib);
	if (err)
		mem_deref(ib);
	else
		*ibp = ib;

	return err;
}


/**
 * Feed one packet's G.711 payload
 *
 * @param ib    Detector
 * @param alaw  True for PCMA, false for PCMU
 * @param p     Payload
 * @param n     Its length (one byte per sample)
 *
 * @return 0 if success, EINVAL for bad arguments, EMSGSIZE if too long
 */
int ivr_inband_g711(struct ivr_inband *ib, bool alaw, const uint8_t *p,
		    size_t n)
{
	int16_t sampv[CHUNK];

	if (!ib || (!p && n))
		return EINVAL;

	if (n > FRAME_MAX)
		return EMSGSIZE;

	while (n) {
		size_t c = min(n, (size_t)CHUNK);

		for (size_t i = 0; i < c; i++)
			sampv[i] = alaw ? g711_alaw2pcm(p[i]) :
				g711_ulaw2pcm(p[i]);

		dtmf_dec_probe(ib->dec, sampv, c);
		p += c;
		n -= c;
	}

	return 0;
}
