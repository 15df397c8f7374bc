/**
 * @file common/media_sdp.c  SDP offer/answer for one anchored audio stream
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A small parser and writer of our own rather than libre's sdp_session:
 * the B2BUA passes codecs through, so it needs the peer's codec list in
 * the peer's order with the exact payload types and fmtp, and it writes
 * offers and answers that carry exactly the codecs it chose.  Only what is
 * needed is read: c=, m=, a=rtpmap, a=fmtp (RFC 4566) and a=crypto (RFC
 * 4568); the rest is ignored.
 *
 * The audio stream is RTP/AVP, or RTP/SAVP with SRTP keyed by a=crypto.
 * That line is read strictly: the one suite, one inline key of exactly 30
 * bytes; a lifetime is ignored; an MKI (it changes the packet format) or
 * a session parameter (RFC 4568 6.3: unknown ones must make the line
 * unusable, and known ones such as UNENCRYPTED_SRTP weaken it) makes the
 * line unusable.  RTP/SAVP without a usable line is no usable audio.
 */
#include <string.h>
#include <stdlib.h>
#include <openssl/rand.h>
#include <re.h>
#include "common/media_sdp.h"


enum {
	SDP_MAX_LINE = 1024,
	SDP_MAX_SIZE = 16384,
	CRYPTO_TAG_MAX = 999999999,   /* 1*9DIGIT (RFC 4568 9.1) */
};

/* Codecs lianluo relays and can generate prompts in. */
static const struct {
	const char *name;
	uint32_t srate;
	uint8_t ch;
} supported[] = {
	{"opus", 48000, 2},
	{"PCMU", 8000,  1},
	{"PCMA", 8000,  1},
};

/* Static payload types of RFC 3551 that may come without an rtpmap. */
static const struct {
	uint8_t pt;
	const char *name;
} static_pts[] = {
	{0, "PCMU"},
	{8, "PCMA"},
};


bool media_codec_supported(const char *name, uint32_t srate, uint8_t ch)
{
	for (size_t i = 0; i < ARRAY_SIZE(supported); i++) {
		if (0 == strcasecmp(name, supported[i].name) &&
		    srate == supported[i].srate &&
		    (ch ? ch : 1) == supported[i].ch)
			return true;
	}

	return false;
}


/* What we learn of one m=audio section before choosing. */
struct rtpmap {
	int pt;
	char name[16];
	uint32_t srate;
	uint8_t ch;
	char fmtp[128];
};

struct audio_desc {
	int ptv[MEDIA_MAX_CODECS * 4];
	size_t ptc;
	struct rtpmap mapv[MEDIA_MAX_CODECS * 4];
	size_t mapc;
	uint16_t port;
	struct sa caddr;
	bool has_caddr;
	bool savp;
	bool has_crypto;
	struct media_crypto crypto;       /* the first usable a=crypto */
};


static struct rtpmap *rtpmap_find(struct audio_desc *ad, int pt)
{
	for (size_t i = 0; i < ad->mapc; i++) {
		if (ad->mapv[i].pt == pt)
			return &ad->mapv[i];
	}

	return NULL;
}


static int parse_caddr(struct sa *sa, const struct pl *val)
{
	struct pl addr;

	/* c=IN IP4 127.0.0.1 */
	if (re_regex(val->p, val->l, "IN IP[46]1 [^ /]+", NULL, &addr))
		return EBADMSG;

	return sa_set(sa, &addr, 0);
}


static int parse_mline(struct audio_desc *ad, const struct pl *val,
		       struct media_sdp *sdp, bool *is_audio)
{
	struct pl type, port, proto, fmts;

	if (re_regex(val->p, val->l, "[a-z]+ [0-9]+[^ ]* [^ ]+ [^]*",
		     &type, &port, NULL, &proto, &fmts))
		return EBADMSG;

	*is_audio = (0 == pl_strcasecmp(&type, "audio") &&
		     (0 == pl_strcasecmp(&proto, "RTP/AVP") ||
		      0 == pl_strcasecmp(&proto, "RTP/SAVP")) &&
		     ad->port == 0 && pl_u32(&port) != 0);

	if (!*is_audio) {
		if (sdp->declinedc >= MEDIA_MAX_STREAMS)
			return EBADMSG;
		if (re_snprintf(sdp->declined[sdp->declinedc++],
				sizeof(sdp->declined[0]), "%r %r %r",
				&type, &proto, &fmts) < 0)
			return EBADMSG;
		return 0;
	}

	if (pl_u32(&port) > 65535)
		return EBADMSG;
	ad->port = (uint16_t)pl_u32(&port);
	ad->savp = 0 == pl_strcasecmp(&proto, "RTP/SAVP");

	while (fmts.l) {
		struct pl pt;

		if (re_regex(fmts.p, fmts.l, "[0-9]+", &pt))
			break;
		if (ad->ptc < ARRAY_SIZE(ad->ptv) && pl_u32(&pt) < 128)
			ad->ptv[ad->ptc++] = (int)pl_u32(&pt);

		pl_advance(&fmts, (size_t)(pt.p + pt.l - fmts.p));
	}

	return 0;
}


static void parse_attr(struct audio_desc *ad, const struct pl *val)
{
	struct pl pt, name, srate, ch, params;
	struct rtpmap *m;

	if (val->l > 7 && 0 == memcmp(val->p, "crypto:", 7)) {
		struct pl c = {val->p + 7, val->l - 7};

		if (!ad->has_crypto && !media_crypto_decode(&ad->crypto, &c))
			ad->has_crypto = true;
		return;
	}

	if (0 == re_regex(val->p, val->l,
			  "rtpmap:[0-9]+ [^/]+/[0-9]+[/]*[0-9]*",
			  &pt, &name, &srate, NULL, &ch)) {

		if (pl_u32(&pt) > 127 || ad->mapc >= ARRAY_SIZE(ad->mapv))
			return;
		if (name.l >= sizeof(m->name))
			return;

		m = &ad->mapv[ad->mapc++];
		memset(m, 0, sizeof(*m));
		m->pt = (int)pl_u32(&pt);
		(void)pl_strcpy(&name, m->name, sizeof(m->name));
		m->srate = pl_u32(&srate);
		m->ch = ch.l ? (uint8_t)pl_u32(&ch) : 1;
		return;
	}

	if (0 == re_regex(val->p, val->l, "fmtp:[0-9]+ [^]+", &pt, &params)) {
		m = rtpmap_find(ad, (int)pl_u32(&pt));
		if (m && params.l < sizeof(m->fmtp))
			(void)pl_strcpy(&params, m->fmtp, sizeof(m->fmtp));
	}
}


/* Turn the audio section into the usable codec list, in offer order. */
static int audio_resolve(struct media_sdp *sdp, struct audio_desc *ad)
{
	for (size_t i = 0; i < ad->ptc; i++) {
		struct media_codec *c;
		const struct rtpmap *m = rtpmap_find(ad, ad->ptv[i]);
		struct rtpmap smap;

		if (!m) {
			for (size_t k = 0; k < ARRAY_SIZE(static_pts); k++) {
				if (static_pts[k].pt != ad->ptv[i])
					continue;
				memset(&smap, 0, sizeof(smap));
				smap.pt = ad->ptv[i];
				str_ncpy(smap.name, static_pts[k].name,
					 sizeof(smap.name));
				smap.srate = 8000;
				smap.ch = 1;
				m = &smap;
			}
		}

		if (!m || !media_codec_supported(m->name, m->srate, m->ch))
			continue;
		if (sdp->codecc >= MEDIA_MAX_CODECS)
			break;

		c = &sdp->codecv[sdp->codecc++];
		memset(c, 0, sizeof(*c));
		str_ncpy(c->name, m->name, sizeof(c->name));
		c->srate = m->srate;
		c->ch = m->ch;
		c->pt = (uint8_t)m->pt;
		str_ncpy(c->fmtp, m->fmtp, sizeof(c->fmtp));
		c->telev_pt = -1;

		/* RFC 4733: telephone-event runs at the codec's clock.  A
		 * payload type mapped twice means what its first rtpmap
		 * says, as for codecs: else events could share the codec's
		 * payload type. */
		for (size_t k = 0; k < ad->mapc; k++) {
			if (0 == strcasecmp(ad->mapv[k].name,
					    "telephone-event") &&
			    ad->mapv[k].srate == c->srate &&
			    rtpmap_find(ad, ad->mapv[k].pt) == &ad->mapv[k])
				c->telev_pt = ad->mapv[k].pt;
		}
	}

	if (!sdp->codecc)
		return ENOTSUP;

	if (ad->savp) {
		if (!ad->has_crypto)
			return ENOTSUP;
		sdp->secure = true;
		sdp->crypto = ad->crypto;
	}

	sdp->raddr = ad->caddr;
	sa_set_port(&sdp->raddr, ad->port);

	return 0;
}


/**
 * Decode an SDP offer or answer and list the audio codecs lianluo can use.
 *
 * @param sdp  Result
 * @param mb   SDP body (read from mb->pos, not consumed)
 *
 * @return 0 if success, EBADMSG if malformed, ENOTSUP if no usable audio
 */
int media_sdp_decode(struct media_sdp *sdp, const struct mbuf *mb)
{
	struct audio_desc ad;
	struct sa session_caddr;
	bool has_session_caddr = false;
	bool in_audio = false, seen_m = false;
	size_t mcount = 0;
	struct pl body;
	int err;

	if (!sdp || !mb)
		return EINVAL;

	memset(sdp, 0, sizeof(*sdp));
	memset(&ad, 0, sizeof(ad));
	sa_init(&session_caddr, AF_UNSPEC);

	if (mbuf_get_left(mb) == 0 || mbuf_get_left(mb) > SDP_MAX_SIZE)
		return EBADMSG;

	body.p = (const char *)mbuf_buf(mb);
	body.l = mbuf_get_left(mb);

	if (body.l < 2 || body.p[0] != 'v' || body.p[1] != '=')
		return EBADMSG;

	/* No NUL in SDP (RFC 4566 9, byte-string): the C strings we keep
	 * would end at one and the answer's m= lines come out malformed. */
	if (memchr(body.p, '\0', body.l))
		return EBADMSG;

	while (body.l) {
		struct pl line, val;
		const char *eol = pl_strchr(&body, '\n');
		size_t n = eol ? (size_t)(eol - body.p) : body.l;

		line.p = body.p;
		line.l = n;
		pl_advance(&body, eol ? n + 1 : n);

		if (line.l && line.p[line.l - 1] == '\r')
			--line.l;
		if (line.l == 0)
			continue;
		if (line.l > SDP_MAX_LINE || line.l < 2 || line.p[1] != '=')
			return EBADMSG;

		val.p = line.p + 2;
		val.l = line.l - 2;

		switch (line.p[0]) {

		case 'm': {
			bool is_audio = false;

			seen_m = true;
			err = parse_mline(&ad, &val, sdp, &is_audio);
			if (err)
				return err;
			if (is_audio)
				sdp->audio_index = mcount;
			in_audio = is_audio;
			++mcount;
			break;
		}

		case 'c': {
			struct sa sa;

			if (parse_caddr(&sa, &val))
				return EBADMSG;
			if (!seen_m) {
				session_caddr = sa;
				has_session_caddr = true;
			}
			else if (in_audio) {
				ad.caddr = sa;
				ad.has_caddr = true;
			}
			break;
		}

		case 'a':
			if (in_audio)
				parse_attr(&ad, &val);
			break;

		default:
			break;
		}
	}

	if (!ad.port)
		return ENOTSUP;
	if (!ad.has_caddr) {
		if (!has_session_caddr)
			return EBADMSG;
		ad.caddr = session_caddr;
	}

	sdp->audio_first = (sdp->audio_index == 0);

	return audio_resolve(sdp, &ad);
}


static int print_declined(struct mbuf *mb, const char *m)
{
	struct pl type, rest;

	if (re_regex(m, strlen(m), "[^ ]+ [^]+", &type, &rest))
		return EINVAL;

	return mbuf_printf(mb, "m=%r 0 %r\r\n", &type, &rest);
}


static int print_audio(struct mbuf *mb, const struct sa *laddr,
		       const struct media_codec *codecv, size_t codecc,
		       const struct media_crypto *crypto)
{
	int err;

	err = mbuf_printf(mb, "m=audio %u RTP/%sAVP", sa_port(laddr),
			  crypto ? "S" : "");
	for (size_t i = 0; i < codecc; i++)
		err |= mbuf_printf(mb, " %u", codecv[i].pt);
	for (size_t i = 0; i < codecc; i++) {
		if (codecv[i].telev_pt >= 0)
			err |= mbuf_printf(mb, " %d", codecv[i].telev_pt);
	}
	err |= mbuf_printf(mb, "\r\n");

	for (size_t i = 0; i < codecc; i++) {
		const struct media_codec *c = &codecv[i];

		if (c->ch > 1)
			err |= mbuf_printf(mb, "a=rtpmap:%u %s/%u/%u\r\n",
					   c->pt, c->name, c->srate, c->ch);
		else
			err |= mbuf_printf(mb, "a=rtpmap:%u %s/%u\r\n",
					   c->pt, c->name, c->srate);
		if (c->fmtp[0])
			err |= mbuf_printf(mb, "a=fmtp:%u %s\r\n",
					   c->pt, c->fmtp);
	}

	for (size_t i = 0; i < codecc; i++) {
		if (codecv[i].telev_pt < 0)
			continue;
		err |= mbuf_printf(mb, "a=rtpmap:%d telephone-event/%u\r\n"
				   "a=fmtp:%d 0-15\r\n",
				   codecv[i].telev_pt, codecv[i].srate,
				   codecv[i].telev_pt);
	}

	if (crypto)
		err |= mbuf_printf(mb, "a=crypto:%H\r\n", media_crypto_print,
				   crypto);

	err |= mbuf_printf(mb, "a=ptime:20\r\na=sendrecv\r\n");

	return err;
}


/**
 * Write an SDP offer, or an answer to a decoded offer, for one audio
 * stream on laddr (address and port) with the given codecs.
 *
 * @param mbp     Returned SDP body, position 0
 * @param laddr   Our media address and port
 * @param codecv  Codecs, in preference order, with their payload types
 * @param codecc  Number of codecs
 * @param offer   The decoded offer when answering, NULL when offering
 * @param crypto  Our SRTP key (RTP/SAVP; an answer's tag must be the
 *                offer's), or NULL for plain RTP/AVP
 *
 * @return 0 if success, otherwise errorcode
 */
int media_sdp_encode(struct mbuf **mbp, const struct sa *laddr,
		     const struct media_codec *codecv, size_t codecc,
		     const struct media_sdp *offer,
		     const struct media_crypto *crypto)
{
	struct mbuf *mb;
	uint32_t id = rand_u32() & 0x7fffffff;
	size_t d = 0;
	int err;

	if (!mbp || !laddr || !codecv || !codecc)
		return EINVAL;

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	err = mbuf_printf(mb, "v=0\r\n"
			  "o=lianluo %u %u IN IP%c %j\r\n"
			  "s=lianluo\r\n"
			  "c=IN IP%c %j\r\n"
			  "t=0 0\r\n",
			  id, id, sa_af(laddr) == AF_INET6 ? '6' : '4', laddr,
			  sa_af(laddr) == AF_INET6 ? '6' : '4', laddr);

	/* An answer keeps the offer's m= lines in order (RFC 3264 6). */
	if (offer) {
		for (; d < offer->declinedc && d < offer->audio_index; d++)
			err |= print_declined(mb, offer->declined[d]);
	}

	err |= print_audio(mb, laddr, codecv, codecc, crypto);

	if (offer) {
		for (; d < offer->declinedc; d++)
			err |= print_declined(mb, offer->declined[d]);
	}

	if (err)
		goto out;

	mb->pos = 0;

 out:
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;

	return err;
}


/**
 * Make a new master key and salt.
 *
 * @return 0 if success, otherwise errorcode
 */
int media_crypto_new(struct media_crypto *c, uint32_t tag)
{
	if (!c || !tag || tag > CRYPTO_TAG_MAX)
		return EINVAL;

	c->tag = tag;

	return RAND_bytes(c->key, sizeof(c->key)) == 1 ? 0 : EIO;
}


static bool is_b64(const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		const char ch = pl->p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
			return false;
	}

	return true;
}


/* "|2^20" or "|1048576" */
static bool is_lifetime(const struct pl *pl)
{
	if (pl->l < 2 || pl->p[0] != '|')
		return false;

	for (size_t i = 1; i < pl->l; i++) {
		if (!((pl->p[i] >= '0' && pl->p[i] <= '9') || pl->p[i] == '^'))
			return false;
	}

	return true;
}


/**
 * Read the value of an a=crypto attribute (after "crypto:").
 *
 * @return 0 if usable, ENOTSUP for another suite or parameters we do not
 *         take, EBADMSG if malformed
 */
int media_crypto_decode(struct media_crypto *c, const struct pl *val)
{
	uint8_t raw[MEDIA_CRYPTO_KEY_LEN];
	struct pl tag, suite, key, rest;
	size_t n = sizeof(raw);

	if (!c || !val)
		return EINVAL;

	if (re_regex(val->p, val->l, "[0-9]+ [^ ]+ inline:[A-Za-z0-9+/=]+[^]*",
		     &tag, &suite, &key, &rest))
		return EBADMSG;

	if (tag.p != val->p || tag.l > 9 || !pl_u32(&tag))
		return EBADMSG;

	if (pl_strcmp(&suite, MEDIA_CRYPTO_SUITE))
		return ENOTSUP;

	/* "|lifetime" may follow; "|MKI:len", ";" more keys or " " session
	 * parameters may not. */
	if (rest.l && !is_lifetime(&rest))
		return ENOTSUP;

	if (key.l != MEDIA_CRYPTO_B64_LEN || !is_b64(&key))
		return EBADMSG;

	if (base64_decode(key.p, key.l, raw, &n) || n != sizeof(raw))
		return EBADMSG;

	memcpy(c->key, raw, sizeof(c->key));
	c->tag = pl_u32(&tag);

	return 0;
}


/* "1 AES_CM_128_HMAC_SHA1_80 inline:<40 base64 digits>" */
int media_crypto_print(struct re_printf *pf, const struct media_crypto *c)
{
	char b64[MEDIA_CRYPTO_B64_LEN + 1];
	size_t n = sizeof(b64);
	int err;

	if (!c)
		return 0;

	err = base64_encode(c->key, sizeof(c->key), b64, &n);
	if (err)
		return err;

	return re_hprintf(pf, "%u " MEDIA_CRYPTO_SUITE " inline:%b", c->tag, b64, n);
}
