/**
 * @file common/ratelimit.h  Counters per key: failure limits, token buckets
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A table of counters keyed by a short string (a source address, a SIP
 * username, a SecretId), in one of two modes:
 *
 *  failures  ratelimit_fail() counts; the limit-th failure within a window
 *            (which starts at the key's first failure) blocks the key for
 *            one window from then; ratelimit_blocked() tells.
 *  bucket    ratelimit_take() takes one token of a bucket that holds limit
 *            tokens and refills limit tokens per window.
 *
 * The table holds at most max_keys keys; a new key then evicts the least
 * recently used one.  Time is passed in (milliseconds, any monotonic
 * origin) so that tests control it.  Not thread-safe: one loop owns it.
 */

enum {
	RATELIMIT_KEY_SZ = 64,    /* longer keys are cut: they then share */
};

struct ratelimit;

int      ratelimit_alloc(struct ratelimit **rlp, uint32_t limit,
			 uint32_t window_ms, uint32_t max_keys);
uint32_t ratelimit_blocked(struct ratelimit *rl, const char *key,
			   uint64_t now_ms);
bool     ratelimit_fail(struct ratelimit *rl, const char *key,
			uint64_t now_ms);
uint32_t ratelimit_take(struct ratelimit *rl, const char *key,
			uint64_t now_ms, bool *first);
uint32_t ratelimit_count(const struct ratelimit *rl);
