/**
 * @file test_media.c  SDP offer/answer, RTP relay and queue tone player
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include <rem.h>
#include "common/media_sdp.h"
#include "common/media_srtp.h"
#include "media/media.h"
#include "testloop.h"


static struct mbuf *mb_str(const char *s)
{
	struct mbuf *mb = mbuf_alloc(strlen(s) + 1);

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_str(mb, s));
	mb->pos = 0;

	return mb;
}


static int sdp_decode_str(struct media_sdp *sdp, const char *s)
{
	struct mbuf *mb = mb_str(s);
	int err = media_sdp_decode(sdp, mb);

	mem_deref(mb);
	return err;
}


static const char *offer_baresip =
	"v=0\r\n"
	"o=- 1 2 IN IP4 192.0.2.2\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.2\r\n"
	"t=0 0\r\n"
	"m=audio 10000 RTP/AVP 96 0 8 101\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=sendrecv\r\n";


static void test_sdp_offer_order_and_telev(void **state)
{
	struct media_sdp sdp;
	(void)state;

	assert_int_equal(0, sdp_decode_str(&sdp, offer_baresip));
	assert_int_equal(3, sdp.codecc);
	assert_string_equal("opus", sdp.codecv[0].name);
	assert_int_equal(96, sdp.codecv[0].pt);
	assert_int_equal(48000, sdp.codecv[0].srate);
	assert_string_equal("stereo=1;sprop-stereo=1", sdp.codecv[0].fmtp);
	/* telephone-event/8000 belongs to the 8 kHz codecs only */
	assert_int_equal(-1, sdp.codecv[0].telev_pt);
	assert_string_equal("PCMU", sdp.codecv[1].name);
	assert_int_equal(101, sdp.codecv[1].telev_pt);
	assert_string_equal("PCMA", sdp.codecv[2].name);
	assert_int_equal(8, sdp.codecv[2].pt);
	assert_int_equal(10000, sa_port(&sdp.raddr));
	assert_true(sa_isset(&sdp.raddr, SA_ADDR));
}


static void test_sdp_static_pt_without_rtpmap(void **state)
{
	struct media_sdp sdp;
	(void)state;

	assert_int_equal(0, sdp_decode_str(&sdp,
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18 8\r\n"));
	assert_int_equal(1, sdp.codecc);
	assert_string_equal("PCMA", sdp.codecv[0].name);
}


/* A peer's media lines are bounded: 8 besides audio, then EBADMSG. */
static void test_sdp_too_many_media_lines(void **state)
{
	char offer[2048];
	struct media_sdp sdp;
	size_t n;
	int i;
	(void)state;

	for (i = 8; i <= 9; i++) {
		int j;

		n = (size_t)re_snprintf(offer, sizeof(offer),
					"v=0\r\nc=IN IP4 127.0.0.1\r\n");
		for (j = 0; j < i; j++)
			n += (size_t)re_snprintf(offer + n, sizeof(offer) - n,
						 "m=video %d RTP/AVP 96\r\n",
						 5000 + 2 * j);
		(void)re_snprintf(offer + n, sizeof(offer) - n,
				  "m=audio 4000 RTP/AVP 0\r\n");

		assert_int_equal(i == 8 ? 0 : EBADMSG,
				 sdp_decode_str(&sdp, offer));
	}
}


static void test_sdp_answer_declines_video(void **state)
{
	const char *offer =
		"v=0\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
		"m=audio 4000 RTP/AVP 0\r\n";
	struct media_sdp sdp, back;
	struct mbuf *mb = NULL;
	struct sa laddr;
	char *text = NULL;
	(void)state;

	assert_int_equal(0, sdp_decode_str(&sdp, offer));
	assert_int_equal(1, sdp.audio_index);
	assert_int_equal(1, sdp.declinedc);

	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 30000));
	assert_int_equal(0, media_sdp_encode(&mb, &laddr, sdp.codecv, 1,
					     &sdp, NULL));
	assert_int_equal(0, mbuf_strdup(mb, &text, mbuf_get_left(mb)));

	/* m=video declined first, in the offer's order (RFC 3264 6) */
	assert_non_null(strstr(text, "m=video 0 RTP/AVP 96\r\n"));
	assert_true(strstr(text, "m=video") < strstr(text, "m=audio"));
	assert_non_null(strstr(text, "m=audio 30000 RTP/AVP 0\r\n"));

	mb->pos = 0;
	assert_int_equal(0, media_sdp_decode(&back, mb));
	assert_int_equal(30000, sa_port(&back.raddr));
	assert_string_equal("PCMU", back.codecv[0].name);

	mem_deref(text);
	mem_deref(mb);
}


static void test_sdp_hostile(void **state)
{
	static const char *bad[] = {
		"",
		"x",
		"hello world",
		"v=0\r\nm=audio 4000 RTP/AVP 0\r\n",             /* no c= */
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 99999 RTP/AVP 0\r\n",
		"v=0\r\nc=IN XX 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n",
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio\r\n",
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 97\r\n"
		"a=rtpmap:97 speex/8000\r\n",                    /* unusable */
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 0\r\n",
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMUPCMUPCMUPCMUPCMUPCMU/8000\r\n"
		"a=rtpmap:300 PCMU/8000\r\n"
		"a=fmtp:0 \r\n",                                 /* ok-ish */
		"v=0\r\n\r\n\r\nc=IN IP4 1.2.3.4\r\nzz\r\n",
	};
	char big[20000];
	struct media_sdp sdp;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = sdp_decode_str(&sdp, bad[i]);

		/* the one with odd but valid PCMU is accepted */
		if (i == 9) {
			assert_int_equal(0, err);
			assert_string_equal("PCMU", sdp.codecv[0].name);
			continue;
		}
		assert_true(err == EBADMSG || err == ENOTSUP);
	}

	/* a huge offer is refused, not parsed */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "v=0\r\na=", 7);
	assert_int_equal(EBADMSG, sdp_decode_str(&sdp, big));

	/* no arguments */
	assert_int_equal(EINVAL, media_sdp_decode(NULL, NULL));
}


/*
 * A NUL byte ends the C strings the decoder keeps, so an offer with one
 * in a declined m= line got an answer with a malformed m= line; NUL is
 * not allowed in SDP and such an offer is refused.  Found by fuzz_sdp
 * (fuzz/corpus/sdp/regress-nul-in-mline).
 */
#define KEY_A "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"   /* 30 bytes */

/* SDES (RFC 4568): what is taken, what makes the line or the stream
 * unusable, and the key read back as written. */
static void test_sdp_crypto(void **state)
{
	static const char *head =
		"v=0\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n";
	static const struct {
		const char *attr;
		int err;
	} cases[] = {
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n", 0},
		{"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|2^20\r\n",
		 0},
		/* the first usable line wins */
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" KEY_A "\r\n"
		 "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n", 0},
		{"", ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" KEY_A "\r\n",
		 ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A
		 "|2^20|1:4\r\n", ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A
		 " UNENCRYPTED_SRTP\r\n", ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A
		 ";inline:" KEY_A "\r\n", ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19z\r\n",
		 ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "AAAA\r\n",
		 ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubG==\r\n", ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVub!?\r\n", ENOTSUP},
		{"a=crypto:0 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n",
		 ENOTSUP},
		{"a=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A
		 "\r\n", ENOTSUP},
		{"a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n",
		 ENOTSUP},
		{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 " KEY_A "\r\n", ENOTSUP},
		{"a=crypto:\r\n", ENOTSUP},
	};
	struct media_crypto ours, back;
	struct media_sdp sdp, rsdp;
	struct mbuf *mb = NULL;
	struct sa laddr;
	char text[1024];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].attr);
		assert_int_equal(cases[i].err, sdp_decode_str(&sdp, text));
		if (!cases[i].err)
			assert_true(sdp.secure);
	}

	/* Plain RTP/AVP with a crypto line stays plain. */
	assert_int_equal(0, sdp_decode_str(&sdp,
		"v=0\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n"));
	assert_false(sdp.secure);

	/* An answer with our key, read back: the offer's tag, our key. */
	snprintf(text, sizeof(text), "%s%s", head,
		 "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n");
	assert_int_equal(0, sdp_decode_str(&sdp, text));
	assert_int_equal(7, sdp.crypto.tag);
	assert_int_equal(0, media_crypto_new(&ours, sdp.crypto.tag));
	assert_memory_not_equal(ours.key, sdp.crypto.key, sizeof(ours.key));
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 30000));
	assert_int_equal(0, media_sdp_encode(&mb, &laddr, sdp.codecv, 1,
					     &sdp, &ours));
	assert_int_equal(0, media_sdp_decode(&rsdp, mb));
	assert_true(rsdp.secure);
	back = rsdp.crypto;
	assert_int_equal(7, back.tag);
	assert_memory_equal(ours.key, back.key, sizeof(ours.key));
	mb = mem_deref(mb);

	/* Keys are new each time; tags are 1..999999999 */
	assert_int_equal(0, media_crypto_new(&back, 1));
	assert_memory_not_equal(ours.key, back.key, sizeof(ours.key));
	assert_int_equal(EINVAL, media_crypto_new(&back, 0));
	assert_int_equal(EINVAL, media_crypto_new(&back, 1000000000));
}


static void test_sdp_nul_refused(void **state)
{
	static const char offer[] = "v=0\r\nc=IN IP4 192.0.2.1\r\n"
		"m=video 9 RTP/AVP\0 96\r\nm=audio 4000 RTP/AVP 0\r\n";
	struct mbuf *mb = mbuf_alloc(sizeof(offer));
	struct media_sdp sdp;
	(void)state;

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_mem(mb, (const uint8_t *)offer,
					   sizeof(offer) - 1));
	mb->pos = 0;
	assert_int_equal(EBADMSG, media_sdp_decode(&sdp, mb));

	/* the same offer without the NUL is fine */
	mb->buf[sizeof("v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 9 RTP/AVP")
		- 1] = ' ';
	assert_int_equal(0, media_sdp_decode(&sdp, mb));
	assert_int_equal(1, sdp.declinedc);
	mem_deref(mb);
}


/*
 * An offer that maps one payload type twice, to a codec and then to
 * telephone-event: the first rtpmap counts, so no event payload type is
 * taken (it was, and it equalled the codec's: the answer said PT 0 was
 * both PCMU and events).  Found by fuzz_sdp
 * (fuzz/corpus/sdp/regress-telev-same-pt).
 */
static void test_sdp_telev_pt_mapped_twice(void **state)
{
	struct media_sdp sdp, back;
	struct mbuf *mb = NULL;
	struct sa laddr;
	(void)state;

	assert_int_equal(0, sdp_decode_str(&sdp,
		"v=0\r\nc=IN IP4 192.0.2.1\r\n"
		"m=audio 4000 RTP/AVP 0 101\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:0 telephone-event/8000\r\n"));
	assert_int_equal(1, sdp.codecc);
	assert_string_equal("PCMU", sdp.codecv[0].name);
	assert_int_equal(-1, sdp.codecv[0].telev_pt);

	/* and the answer reads back as one codec */
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 5000));
	assert_int_equal(0, media_sdp_encode(&mb, &laddr, sdp.codecv, 1,
					     &sdp, NULL));
	assert_int_equal(0, media_sdp_decode(&back, mb));
	assert_int_equal(1, back.codecc);
	mem_deref(mb);

	/* a telephone-event of its own payload type is still taken */
	assert_int_equal(0, sdp_decode_str(&sdp,
		"v=0\r\nc=IN IP4 192.0.2.1\r\n"
		"m=audio 4000 RTP/AVP 0 101\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtpmap:101 PCMA/8000\r\n"));
	assert_int_equal(101, sdp.codecv[0].telev_pt);
}


static void test_sdp_too_many_streams(void **state)
{
	char buf[4096];
	size_t n = 0;
	struct media_sdp sdp;
	(void)state;

	n += (size_t)re_snprintf(buf + n, sizeof(buf) - n,
				 "v=0\r\nc=IN IP4 1.2.3.4\r\n");
	for (int i = 0; i < 20; i++)
		n += (size_t)re_snprintf(buf + n, sizeof(buf) - n,
					 "m=video %d RTP/AVP 96\r\n",
					 5000 + i);
	(void)re_snprintf(buf + n, sizeof(buf) - n,
			  "m=audio 4000 RTP/AVP 0\r\n");

	assert_int_equal(EBADMSG, sdp_decode_str(&sdp, buf));
}


/* A relay test: two "phones" (UDP sockets) on loopback. */
struct phone {
	struct udp_sock *us;
	struct sa addr;
	struct mbuf *last;
	unsigned count;
	uint16_t seqv[64];
	uint32_t ssrcv[64];
};

static struct phone pa, pb;
static unsigned want_a;


static void phone_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct phone *p = arg;
	const uint8_t *d = mbuf_buf(mb);
	(void)src;

	if (mbuf_get_left(mb) >= 12 && p->count < ARRAY_SIZE(p->seqv)) {
		p->seqv[p->count] = (uint16_t)(d[2] << 8 | d[3]);
		p->ssrcv[p->count] = (uint32_t)d[8] << 24 |
			(uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11];
	}
	++p->count;

	if (p == &pa && pa.count >= want_a)
		re_cancel();
}


static void phone_open(struct phone *p)
{
	struct sa a;

	memset(p, 0, sizeof(*p));
	assert_int_equal(0, sa_set_str(&a, "127.0.0.1", 0));
	assert_int_equal(0, udp_listen(&p->us, &a, phone_recv, p));
	assert_int_equal(0, udp_local_get(p->us, &p->addr));
}


static struct mbuf *rtp_packet(uint16_t seq, uint32_t ssrc)
{
	struct mbuf *mb = mbuf_alloc(200);
	struct rtp_header h;

	assert_non_null(mb);
	memset(&h, 0, sizeof(h));
	h.ver = 2;
	h.pt = 0;
	h.seq = seq;
	h.ts = seq * 160u;
	h.ssrc = ssrc;
	assert_int_equal(0, rtp_hdr_encode(mb, &h));
	for (int i = 0; i < 160; i++)
		mbuf_write_u8(mb, 0xff);
	mb->pos = 0;

	return mb;
}


static void rtp_send_sock(struct udp_sock *us, const struct sa *dst,
			  uint16_t seq, uint32_t ssrc)
{
	struct mbuf *mb = rtp_packet(seq, ssrc);

	assert_int_equal(0, udp_send(us, dst, mb));
	mem_deref(mb);
}


static void rtp_send_raw(struct phone *p, const struct sa *dst, uint16_t seq,
			 uint32_t ssrc)
{
	rtp_send_sock(p->us, dst, seq, ssrc);
}


static void test_relay_tone_then_bridge_is_one_stream(void **state)
{
	struct media_codec pcmu = {"PCMU", 8000, 1, 0, "", 101};
	struct relay *r = NULL;
	struct player *pl = NULL;
	struct sa laddr, ra, rb;
	struct relay_stats st;
	(void)state;

	phone_open(&pa);
	phone_open(&pb);

	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, relay_alloc(&r, &laddr));
	assert_int_not_equal(0, relay_port(r, RELAY_A));
	assert_int_not_equal(relay_port(r, RELAY_A), relay_port(r, RELAY_B));
	assert_int_equal(0, relay_port(r, RELAY_A) % 2);

	relay_set_peer(r, RELAY_A, &pa.addr);
	relay_set_peer(r, RELAY_B, &pb.addr);

	/* Queue tone to A */
	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcmu, NULL));
	want_a = 10;
	run_loop_ms(2000);
	assert_true(pa.count >= 10);
	pl = mem_deref(pl);

	/* Agent (B) starts talking with its own SSRC and seq numbers */
	ra = laddr;
	sa_set_port(&ra, relay_port(r, RELAY_A));
	rb = laddr;
	sa_set_port(&rb, relay_port(r, RELAY_B));
	relay_bridge(r, true);

	want_a = pa.count + 5;
	for (uint16_t i = 0; i < 5; i++)
		rtp_send_raw(&pb, &rb, (uint16_t)(100 + i), 0xabcdef01);
	run_loop_ms(2000);

	assert_int_equal(15, pa.count);
	for (unsigned i = 1; i < pa.count; i++) {
		/* one SSRC, sequence numbers one apart, throughout */
		assert_int_equal(pa.ssrcv[0], pa.ssrcv[i]);
		assert_int_equal((uint16_t)(pa.seqv[i - 1] + 1), pa.seqv[i]);
	}

	/* A to B is forwarded as is */
	rtp_send_raw(&pa, &ra, 7, 0x11111111);
	run_loop_ms(200);
	assert_int_equal(1, pb.count);
	assert_int_equal(7, pb.seqv[0]);
	assert_int_equal(0x11111111, pb.ssrcv[0]);

	relay_stats(r, &st);
	assert_int_equal(5, st.fwd[RELAY_B]);
	assert_int_equal(1, st.fwd[RELAY_A]);

	mem_deref(r);
	mem_deref(pa.us);
	mem_deref(pb.us);
}


static void test_relay_not_bridged_forwards_nothing(void **state)
{
	struct relay *r = NULL;
	struct sa laddr, rb;
	(void)state;

	phone_open(&pa);
	phone_open(&pb);
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, relay_alloc(&r, &laddr));
	relay_set_peer(r, RELAY_A, &pa.addr);

	rb = laddr;
	sa_set_port(&rb, relay_port(r, RELAY_B));
	rtp_send_raw(&pb, &rb, 1, 1);
	run_loop_ms(200);
	assert_int_equal(0, pa.count);

	mem_deref(r);
	mem_deref(pa.us);
	mem_deref(pb.us);
}


struct hook_seen {
	unsigned count;
	uint16_t seq;
	size_t left;
};


static void hook_handler(enum relay_leg leg, struct mbuf *mb, void *arg)
{
	struct hook_seen *hs = arg;

	assert_int_equal(RELAY_A, leg);
	hs->seq = (uint16_t)(mbuf_buf(mb)[2] << 8 | mbuf_buf(mb)[3]);
	hs->left = mbuf_get_left(mb);
	++hs->count;
	mb->pos += 12;          /* the relay puts it back */
}


/* The receive hook sees leg A's packets, bridged or not, and the packet
 * still goes across unchanged when bridged. */
static void test_relay_recv_hook(void **state)
{
	struct hook_seen hs = {0, 0, 0};
	struct relay *r = NULL;
	struct sa laddr, ra;
	(void)state;

	phone_open(&pa);
	phone_open(&pb);
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, relay_alloc(&r, &laddr));
	relay_set_peer(r, RELAY_B, &pb.addr);
	relay_set_recv_handler(r, RELAY_A, hook_handler, &hs);

	ra = laddr;
	sa_set_port(&ra, relay_port(r, RELAY_A));
	rtp_send_raw(&pa, &ra, 42, 5);
	run_loop_ms(200);
	assert_int_equal(1, hs.count);
	assert_int_equal(42, hs.seq);
	assert_int_equal(172, hs.left);
	assert_int_equal(0, pb.count);

	relay_bridge(r, true);
	rtp_send_raw(&pa, &ra, 43, 5);
	run_loop_ms(200);
	assert_int_equal(2, hs.count);
	assert_int_equal(1, pb.count);
	assert_int_equal(43, pb.seqv[0]);

	relay_set_recv_handler(r, RELAY_A, NULL, NULL);
	rtp_send_raw(&pa, &ra, 44, 5);
	run_loop_ms(200);
	assert_int_equal(2, hs.count);
	assert_int_equal(2, pb.count);

	mem_deref(r);
	mem_deref(pa.us);
	mem_deref(pb.us);
}


/* What reached a raw socket (an eavesdropper on the wire). */
struct wire {
	struct udp_sock *us;
	struct sa addr;
	struct mbuf *last;
	unsigned count;
};


static void wire_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct wire *w = arg;
	(void)src;

	mem_deref(w->last);
	w->last = mbuf_alloc(mbuf_get_left(mb));
	if (w->last) {
		(void)mbuf_write_mem(w->last, mbuf_buf(mb),
				     mbuf_get_left(mb));
		w->last->pos = 0;
	}
	++w->count;
}


/* Leg B SRTP: the agent hears what leg A sends, decrypted with its key;
 * the wire carries ciphertext with the 10-byte tag; what leg B sends
 * reaches A in clear; plain, forged and replayed packets are dropped. */
static void test_relay_srtp(void **state)
{
	struct media_crypto relay_key, agent_key;
	struct media_srtp *agent_srtp = NULL;
	struct relay *r = NULL;
	struct srtp *tx = NULL;
	struct mbuf *pkt;
	struct wire w;
	struct sa laddr, ra, rb;
	(void)state;

	assert_int_equal(0, media_crypto_new(&relay_key, 1));
	assert_int_equal(0, media_crypto_new(&agent_key, 1));

	phone_open(&pa);
	phone_open(&pb);
	memset(&w, 0, sizeof(w));
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, udp_listen(&w.us, &laddr, wire_recv, &w));
	assert_int_equal(0, udp_local_get(w.us, &w.addr));

	assert_int_equal(0, relay_alloc(&r, &laddr));
	assert_int_equal(0, relay_set_srtp(r, RELAY_B, &relay_key,
					   &agent_key));
	relay_bridge(r, true);
	ra = rb = laddr;
	sa_set_port(&ra, relay_port(r, RELAY_A));
	sa_set_port(&rb, relay_port(r, RELAY_B));

	/* On the wire: 12 + 160 + 10 bytes, payload not in clear */
	relay_set_peer(r, RELAY_B, &w.addr);
	rtp_send_raw(&pa, &ra, 100, 9);
	run_loop_ms(200);
	assert_int_equal(1, w.count);
	assert_non_null(w.last);
	assert_int_equal(182, mbuf_get_left(w.last));
	assert_true(w.last->buf[12] != 0xff || w.last->buf[13] != 0xff);

	/* The agent's socket with its keys: what A sends arrives plain. */
	assert_int_equal(0, media_srtp_attach(&agent_srtp, pb.us, NULL,
					      &agent_key, &relay_key));
	relay_set_peer(r, RELAY_B, &pb.addr);
	relay_set_peer(r, RELAY_A, &pa.addr);

	rtp_send_raw(&pa, &ra, 200, 9);
	run_loop_ms(200);
	assert_int_equal(1, pb.count);
	assert_int_equal(200, pb.seqv[0]);

	/* The agent's SRTP reaches A decrypted. */
	want_a = 1;
	rtp_send_raw(&pb, &rb, 300, 11);
	run_loop_ms(200);
	assert_int_equal(1, pa.count);
	assert_int_equal(300, pa.seqv[0]);
	assert_int_equal(0, relay_srtp_dropped(r, RELAY_B));

	/* Plain RTP to the SRTP leg (from the raw socket): dropped, and the
	 * latched peer stays the agent. */
	rtp_send_sock(w.us, &rb, 301, 11);
	run_loop_ms(200);
	assert_int_equal(1, pa.count);
	assert_int_equal(1, relay_srtp_dropped(r, RELAY_B));

	/* A packet encrypted with the agent's key passes once; the same
	 * bytes again (a replay) are dropped. */
	assert_int_equal(0, srtp_alloc(&tx, SRTP_AES_CM_128_HMAC_SHA1_80,
				       agent_key.key, sizeof(agent_key.key),
				       0));
	pkt = rtp_packet(302, 11);
	assert_int_equal(0, srtp_encrypt(tx, pkt));
	for (int i = 0; i < 2; i++) {
		pkt->pos = 0;
		assert_int_equal(0, udp_send(w.us, &rb, pkt));
		run_loop_ms(200);
	}
	assert_int_equal(2, pa.count);
	assert_int_equal(302, pa.seqv[1]);
	assert_int_equal(2, relay_srtp_dropped(r, RELAY_B));
	mem_deref(pkt);
	mem_deref(tx);
	mem_deref(agent_srtp);

	mem_deref(r);
	mem_deref(pa.us);
	mem_deref(pb.us);
	mem_deref(w.us);
	mem_deref(w.last);
}


static void once_done(void *arg)
{
	struct player **plp = arg;

	/* the handler may free the player */
	*plp = mem_deref(*plp);
	re_cancel();
}


/* Play once: the prompt's length (100 ms = 5 frames), then done. */
static void test_player_once(void **state)
{
	struct media_codec pcma = {"PCMA", 8000, 1, 8, "", -1};
	struct media_prompt *mp;
	struct relay *r = NULL;
	struct player *pl = NULL;
	struct sa laddr;
	(void)state;

	phone_open(&pa);
	assert_int_equal(0, sa_set_str(&laddr, "127.0.0.1", 0));
	assert_int_equal(0, relay_alloc(&r, &laddr));
	relay_set_peer(r, RELAY_A, &pa.addr);

	mp = mem_zalloc(sizeof(*mp), NULL);
	assert_non_null(mp);
	mp->sampc = 790;        /* the last frame is padded */
	mp->sampv = mem_zalloc(mp->sampc * sizeof(int16_t), NULL);
	assert_non_null(mp->sampv);

	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcma, mp));
	player_set_once(pl, once_done, &pl);
	want_a = 1000;
	run_loop_ms(3000);
	assert_null(pl);
	run_loop_ms(100);
	assert_int_equal(5, pa.count);

	/* without a prompt: a short tone, 400 ms */
	pa.count = 0;
	assert_int_equal(0, player_alloc(&pl, r, RELAY_A, &pcma, NULL));
	player_set_once(pl, once_done, &pl);
	run_loop_ms(3000);
	assert_null(pl);
	run_loop_ms(100);       /* the last frame is still on its way */
	assert_int_equal(20, pa.count);

	mem_deref(mp->sampv);
	mem_deref(mp);
	mem_deref(r);
	mem_deref(pa.us);
}


static void write_wav(const char *path, uint32_t srate, size_t sampc)
{
	struct aufile_prm prm = {srate, 1, AUFMT_S16LE};
	struct aufile *af = NULL;
	int16_t *sampv = mem_zalloc(sampc * sizeof(int16_t), NULL);

	for (size_t i = 0; i < sampc; i++)
		sampv[i] = (int16_t)i;
	assert_int_equal(0, aufile_open(&af, &prm, path, AUFILE_WRITE));
	assert_int_equal(0, aufile_write(af, (uint8_t *)sampv,
					 sampc * sizeof(int16_t)));
	mem_deref(af);
	mem_deref(sampv);
}


static void test_prompt_load(void **state)
{
	char path[] = "/tmp/ll-test-prompt-XXXXXX";
	struct media_prompt *mp = NULL;
	int fd;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	write_wav(path, 8000, 4000);
	assert_int_equal(0, media_prompt_load(&mp, path));
	assert_int_equal(4000, mp->sampc);
	assert_int_equal(1234, mp->sampv[1234]);
	mp = mem_deref(mp);

	/* not 8 kHz: refused with a clear error, not resampled badly */
	write_wav(path, 16000, 4000);
	assert_int_equal(ENOTSUP, media_prompt_load(&mp, path));
	assert_null(mp);

	unlink(path);
	assert_int_not_equal(0, media_prompt_load(&mp, path));
	assert_int_equal(EINVAL, media_prompt_load(NULL, path));
}


/*
 * A WAV file that ends before its data chunk (a truncated upload, or one
 * with only a LIST chunk) is refused.  librem's header reader alone loops
 * for ever on it, so lianluod hung at start-up (fuzz/fuzz_wav.c found it;
 * its input is fuzz/corpus/wav/regress-no-data-chunk.wav).
 */
static void test_prompt_load_no_data_chunk(void **state)
{
	static const uint8_t fmt[] = {
		'R', 'I', 'F', 'F', 0xb6, 0x01, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 18, 0, 0, 0,
		1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0,
		0, 0,
	};
	static const uint8_t list[] = {'L', 'I', 'S', 'T', 4, 0, 0, 0,
				       'I', 'N', 'F', 'O'};
	static const uint8_t skip[] = {'d', '_', 't', 'a', 0x90, 1, 0, 0};
	char path[] = "/tmp/ll-test-prompt-XXXXXX";
	struct media_prompt *mp = NULL;
	FILE *f;
	int fd;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);

	/* A hang fails the test in seconds, not at the ctest time-out. */
	alarm(10);

	/* fmt, then nothing */
	assert_int_equal(1, fwrite(fmt, sizeof(fmt), 1, f));
	assert_int_equal(0, fflush(f));
	assert_int_equal(EBADMSG, media_prompt_load(&mp, path));
	assert_null(mp);

	/* fmt and a LIST chunk */
	assert_int_equal(1, fwrite(list, sizeof(list), 1, f));
	assert_int_equal(0, fflush(f));
	assert_int_equal(EBADMSG, media_prompt_load(&mp, path));

	/* a chunk that says it is longer than what is left */
	assert_int_equal(1, fwrite(skip, sizeof(skip), 1, f));
	assert_int_equal(0, fflush(f));
	assert_int_equal(EBADMSG, media_prompt_load(&mp, path));
	assert_null(mp);

	alarm(0);
	fclose(f);
	unlink(path);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdp_offer_order_and_telev),
		cmocka_unit_test(test_sdp_static_pt_without_rtpmap),
		cmocka_unit_test(test_sdp_answer_declines_video),
		cmocka_unit_test(test_sdp_too_many_media_lines),
		cmocka_unit_test(test_sdp_hostile),
		cmocka_unit_test(test_sdp_too_many_streams),
		cmocka_unit_test(test_sdp_nul_refused),
		cmocka_unit_test(test_sdp_crypto),
		cmocka_unit_test(test_sdp_telev_pt_mapped_twice),
		cmocka_unit_test(test_relay_tone_then_bridge_is_one_stream),
		cmocka_unit_test(test_relay_not_bridged_forwards_nothing),
		cmocka_unit_test(test_relay_recv_hook),
		cmocka_unit_test(test_relay_srtp),
		cmocka_unit_test(test_player_once),
		cmocka_unit_test(test_prompt_load),
		cmocka_unit_test(test_prompt_load_no_data_chunk),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
