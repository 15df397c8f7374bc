/**
 * @file common/replay.h  Digest nonce-count replay tracker
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Remembers, per digest nonce, the highest nonce-count (RFC 7616 3.4,
 * "nc") a request was accepted with, so that a request carrying a count
 * already seen (a verbatim replay, or one overtaken by a later one) is
 * told apart from a fresh one.  A request without qop has no count: pass
 * 0, and the nonce is then good for one request.
 *
 * Nonces are forgotten ttl_s after they were issued (the verifier refuses
 * them by then anyway).  The table holds at most max_nonces; a new nonce
 * then evicts the one used first, and every nonce issued no later than an
 * evicted one is refused from then on, since its counts are gone.  Time is
 * passed in (seconds, the clock the nonces carry) so that tests control
 * it.  Not thread-safe: one loop owns it.
 */

enum {
	REPLAY_NONCE_SZ = 64,     /* longer nonces are refused */
};

struct replay;

int      replay_alloc(struct replay **rpp, uint32_t max_nonces,
		      uint32_t ttl_s);
int      replay_use(struct replay *rp, const struct pl *nonce,
		    uint64_t issued_s, uint32_t nc, uint64_t now_s);
uint32_t replay_count(const struct replay *rp);
