/**
 * @file common/media_srtp.c  SRTP on a stream's sockets, keyed by SDES
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Packets are encrypted as they leave and decrypted as they reach the
 * stream's UDP sockets (libre's UDP helpers), so the relay, the prompt
 * player and the SDK's audio stream handle plain RTP and know nothing of
 * SRTP.  A packet that fails authentication, or replays one already seen,
 * is dropped before anybody sees it: nobody without the key can inject
 * audio or move a latched peer.  A packet that cannot be encrypted is not
 * sent at all, never sent plain.  The keys come from the SDP's a=crypto
 * lines (common/media_sdp.c): each side encrypts with its own and
 * decrypts with the peer's.
 */
#include <re.h>
#include "common/media_sdp.h"
#include "common/media_srtp.h"


enum {
	UDP_LAYER_SRTP = 20,
};

struct media_srtp {
	struct srtp *tx;
	struct srtp *rx;
	struct udp_helper *uh_rtp;
	struct udp_helper *uh_rtcp;
	uint64_t dropped;
};


static bool rtp_send_handler(int *err, struct sa *dst, struct mbuf *mb,
			     void *arg)
{
	struct media_srtp *s = arg;
	(void)dst;

	*err = srtp_encrypt(s->tx, mb);
	return *err != 0;
}


static bool rtp_recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct media_srtp *s = arg;
	(void)src;

	if (!srtp_decrypt(s->rx, mb))
		return false;

	++s->dropped;
	return true;
}


static bool rtcp_send_handler(int *err, struct sa *dst, struct mbuf *mb,
			      void *arg)
{
	struct media_srtp *s = arg;
	(void)dst;

	*err = srtcp_encrypt(s->tx, mb);
	return *err != 0;
}


static bool rtcp_recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct media_srtp *s = arg;
	(void)src;

	if (!srtcp_decrypt(s->rx, mb))
		return false;

	++s->dropped;
	return true;
}


static void destructor(void *arg)
{
	struct media_srtp *s = arg;

	mem_deref(s->uh_rtp);
	mem_deref(s->uh_rtcp);
	mem_deref(s->tx);
	mem_deref(s->rx);
}


/**
 * Encrypt what a stream's sockets send and decrypt what they receive.
 * Free it before the sockets (libre frees a socket's helpers with it).
 *
 * @param sp    Returned state
 * @param rtp   RTP socket
 * @param rtcp  RTCP socket, or NULL
 * @param tx    Our key (sent in our a=crypto)
 * @param rx    The peer's key (from its a=crypto)
 *
 * @return 0 if success, otherwise errorcode
 */
int media_srtp_attach(struct media_srtp **sp, struct udp_sock *rtp,
		     struct udp_sock *rtcp, const struct media_crypto *tx,
		     const struct media_crypto *rx)
{
	struct media_srtp *s;
	int err;

	if (!sp || !rtp || !tx || !rx)
		return EINVAL;

	s = mem_zalloc(sizeof(*s), destructor);
	if (!s)
		return ENOMEM;

	err  = srtp_alloc(&s->tx, SRTP_AES_CM_128_HMAC_SHA1_80, tx->key,
			  sizeof(tx->key), 0);
	err |= srtp_alloc(&s->rx, SRTP_AES_CM_128_HMAC_SHA1_80, rx->key,
			  sizeof(rx->key), 0);
	if (err)
		goto out;

	err = udp_register_helper(&s->uh_rtp, rtp, UDP_LAYER_SRTP,
				  rtp_send_handler, rtp_recv_handler, s);
	if (!err && rtcp)
		err = udp_register_helper(&s->uh_rtcp, rtcp, UDP_LAYER_SRTP,
					  rtcp_send_handler,
					  rtcp_recv_handler, s);

 out:
	if (err)
		mem_deref(s);
	else
		*sp = s;

	return err;
}


/** Packets dropped for failing authentication or replaying. */
uint64_t media_srtp_dropped(const struct media_srtp *s)
{
	return s ? s->dropped : 0;
}
