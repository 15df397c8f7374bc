/**
 * @file common/media_sdp.h  SDP offer/answer for one audio stream
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Shared by the server's B2BUA and the SDK: the codecs lianluo relays and
 * plays (Opus, PCMU, PCMA, with RFC 4733 telephone-event), parsed from and
 * written to SDP (RFC 4566, offer/answer RFC 3264), and the SDES keys of
 * SRTP (RFC 4568; common/media_srtp.h uses them).
 */

/** A codec as negotiated on a stream; pt is the payload type on the wire. */
struct media_codec {
	char name[16];        /* "PCMU", "PCMA", "opus" */
	uint32_t srate;
	uint8_t ch;
	uint8_t pt;
	char fmtp[128];
	int telev_pt;         /* telephone-event payload type, -1 if none */
};

/* SDP (RFC 4566, offer/answer RFC 3264): one audio stream; other
 * streams of an offer are declined in the answer. */
enum {
	MEDIA_MAX_CODECS  = 8,
	MEDIA_MAX_STREAMS = 8,
};

/* SDES (RFC 4568), one suite: AES_CM_128_HMAC_SHA1_80 (6.2.1, mandatory
 * to implement).  Each side makes its own master key and salt. */
enum {
	MEDIA_CRYPTO_KEY_LEN = 30,      /* 16-byte master key + 14-byte salt */
	MEDIA_CRYPTO_B64_LEN = 40,      /* its base64, without padding */
};

#define MEDIA_CRYPTO_SUITE "AES_CM_128_HMAC_SHA1_80"

/** One a=crypto line's worth: tag and master key||salt. */
struct media_crypto {
	uint32_t tag;
	uint8_t key[MEDIA_CRYPTO_KEY_LEN];
};

struct media_sdp {
	struct sa raddr;                       /* audio address and port */
	struct media_codec codecv[MEDIA_MAX_CODECS];  /* usable, in the
							  peer's order */
	size_t codecc;
	char declined[MEDIA_MAX_STREAMS][64];  /* "video RTP/AVP 96" */
	size_t declinedc;
	bool audio_first;                      /* audio is the first m= */
	size_t audio_index;                    /* position of audio m= */
	bool secure;                           /* RTP/SAVP with a usable
						  a=crypto: crypto */
	struct media_crypto crypto;
};

bool media_codec_supported(const char *name, uint32_t srate, uint8_t ch);
int  media_sdp_decode(struct media_sdp *sdp, const struct mbuf *mb);
int  media_sdp_encode(struct mbuf **mbp, const struct sa *laddr,
		      const struct media_codec *codecv, size_t codecc,
		      const struct media_sdp *offer,
		      const struct media_crypto *crypto);

int  media_crypto_new(struct media_crypto *c, uint32_t tag);
int  media_crypto_decode(struct media_crypto *c, const struct pl *val);
int  media_crypto_print(struct re_printf *pf, const struct media_crypto *c);
