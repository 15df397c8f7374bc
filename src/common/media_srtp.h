/**
 * @file common/media_srtp.h  SRTP on a stream's sockets, keyed by SDES
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Shared by the B2BUA (the agent's leg) and the SDK.  Needs
 * common/media_sdp.h (struct media_crypto) first.
 */

struct media_srtp;
struct udp_sock;

int  media_srtp_attach(struct media_srtp **sp, struct udp_sock *rtp,
		       struct udp_sock *rtcp, const struct media_crypto *tx,
		       const struct media_crypto *rx);
uint64_t media_srtp_dropped(const struct media_srtp *s);
