/**
 * @file common/ratelimit.c  Counters per key: failure limits, token buckets
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Keys come from peers (addresses, usernames, SecretIds), so the table is
 * bounded (least recently used key evicted) and its hash is seeded at
 * random: a peer cannot choose keys that all land in one bucket.  Every
 * operation is O(1) apart from the walk of one hash bucket.
 */
#include <string.h>
#include <re.h>
#include "common/ratelimit.h"


struct rl_entry {
	struct le he;               /* in rl->ht */
	struct le le;               /* in rl->lru, least recent first */
	uint32_t hash;
	char key[RATELIMIT_KEY_SZ];
	uint64_t t0_ms;             /* window start, or last refill */
	uint64_t until_ms;          /* blocked until (failures) */
	uint64_t level;             /* failures, or bucket level in units
				       of 1/window_ms token */
	bool refusing;              /* refused since the bucket was full */
};

struct ratelimit {
	struct hash *ht;
	struct list lru;
	uint32_t limit;
	uint32_t window_ms;
	uint32_t max_keys;
	uint32_t count;             /* entries in lru */
	uint32_t seed;
};


static void entry_destructor(void *arg)
{
	struct rl_entry *e = arg;

	hash_unlink(&e->he);
	list_unlink(&e->le);
}


static void rl_destructor(void *arg)
{
	struct ratelimit *rl = arg;

	list_flush(&rl->lru);
	rl->ht = mem_deref(rl->ht);
}


/**
 * Allocate a table
 *
 * @param rlp       Returned table
 * @param limit     Failures that block (or tokens of a bucket), >= 1
 * @param window_ms Window (or time to refill a bucket), >= 1
 * @param max_keys  Keys kept at most, >= 1
 *
 * @return 0 if success, otherwise errorcode
 */
int ratelimit_alloc(struct ratelimit **rlp, uint32_t limit,
		    uint32_t window_ms, uint32_t max_keys)
{
	struct ratelimit *rl;
	uint32_t bsize = 16;
	int err;

	if (!rlp || !limit || !window_ms || !max_keys)
		return EINVAL;

	rl = mem_zalloc(sizeof(*rl), rl_destructor);
	if (!rl)
		return ENOMEM;

	/* About four keys a bucket when full (hash_alloc wants 2^n). */
	while (bsize < max_keys / 4 && bsize < (1u << 16))
		bsize <<= 1;

	err = hash_alloc(&rl->ht, bsize);
	if (err) {
		mem_deref(rl);
		return err;
	}

	list_init(&rl->lru);
	rl->limit     = limit;
	rl->window_ms = window_ms;
	rl->max_keys  = max_keys;
	rl->seed      = rand_u32();

	*rlp = rl;
	return 0;
}


/* Jenkins' one-at-a-time, started from the table's secret seed. */
static uint32_t key_hash(const struct ratelimit *rl, const char *key,
			 size_t n)
{
	uint32_t h = rl->seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h += (uint8_t)key[i];
		h += h << 10;
		h ^= h >> 6;
	}

	h += h << 3;
	h ^= h >> 11;
	h += h << 15;

	return h;
}


static size_t key_len(const char *key)
{
	return strnlen(key, RATELIMIT_KEY_SZ - 1);
}


static struct rl_entry *find(struct ratelimit *rl, const char *key)
{
	const size_t n = key_len(key);
	const uint32_t h = key_hash(rl, key, n);
	struct le *le;

	LIST_FOREACH(hash_list(rl->ht, h), le) {
		struct rl_entry *e = le->data;

		if (e->hash != h || strncmp(e->key, key, n) || e->key[n])
			continue;

		/* Most recently used goes last. */
		list_unlink(&e->le);
		list_append(&rl->lru, &e->le, e);
		return e;
	}

	return NULL;
}


static struct rl_entry *find_or_add(struct ratelimit *rl, const char *key,
				    bool *fresh)
{
	struct rl_entry *e = find(rl, key);
	size_t n;

	*fresh = !e;
	if (e)
		return e;

	/* list_count() walks the list: keep our own count. */
	if (rl->count >= rl->max_keys) {
		mem_deref(list_ledata(list_head(&rl->lru)));
		--rl->count;
	}

	e = mem_zalloc(sizeof(*e), entry_destructor);
	if (!e)
		return NULL;

	n = key_len(key);
	memcpy(e->key, key, n);
	e->hash = key_hash(rl, key, n);
	hash_append(rl->ht, e->hash, &e->he, e);
	list_append(&rl->lru, &e->le, e);
	++rl->count;

	return e;
}


/**
 * Whether a key is blocked by its failures
 *
 * @param rl     Table (NULL: limits off, never blocked)
 * @param key    Key
 * @param now_ms Current time
 *
 * @return 0 if not blocked, otherwise the milliseconds until it is not
 */
uint32_t ratelimit_blocked(struct ratelimit *rl, const char *key,
			   uint64_t now_ms)
{
	struct rl_entry *e;

	if (!rl || !key)
		return 0;

	e = find(rl, key);
	if (!e || now_ms >= e->until_ms)
		return 0;

	return (uint32_t)(e->until_ms - now_ms);
}


/**
 * Count one failure of a key.  A blocked key's failures are not counted:
 * it stays blocked for one window from the failure that blocked it.
 *
 * @param rl     Table (NULL: limits off)
 * @param key    Key
 * @param now_ms Current time
 *
 * @return true if this failure starts a block (log it once), else false
 */
bool ratelimit_fail(struct ratelimit *rl, const char *key, uint64_t now_ms)
{
	struct rl_entry *e;
	bool fresh;

	if (!rl || !key)
		return false;

	e = find_or_add(rl, key, &fresh);
	if (!e || now_ms < e->until_ms)
		return false;

	if (!e->level || now_ms - e->t0_ms >= rl->window_ms) {
		e->t0_ms = now_ms;
		e->level = 0;
	}

	if (++e->level < rl->limit)
		return false;

	e->level = 0;
	e->until_ms = now_ms + rl->window_ms;

	return true;
}


/**
 * Take one token from a key's bucket; a new key's bucket is full.
 *
 * @param rl     Table (NULL: limits off, always a token)
 * @param key    Key
 * @param now_ms Current time
 * @param first  Set to whether this refusal is the first since the key's
 *               bucket was last full (log it once); may be NULL
 *
 * @return 0 if a token was taken, otherwise the milliseconds until the
 *         next one
 */
uint32_t ratelimit_take(struct ratelimit *rl, const char *key,
			uint64_t now_ms, bool *first)
{
	struct rl_entry *e;
	uint64_t full;
	bool fresh;

	if (first)
		*first = false;
	if (!rl || !key)
		return 0;

	e = find_or_add(rl, key, &fresh);
	if (!e)
		return 0;   /* out of memory: do not refuse for that */

	full = (uint64_t)rl->limit * rl->window_ms;

	if (fresh || now_ms < e->t0_ms ||
	    now_ms - e->t0_ms >= rl->window_ms) {
		e->level = full;
	}
	else {
		e->level += (now_ms - e->t0_ms) * rl->limit;
		if (e->level > full)
			e->level = full;
	}
	e->t0_ms = now_ms;

	/* A refusal episode ends when the key has let its bucket fill. */
	if (e->level == full)
		e->refusing = false;

	if (e->level >= rl->window_ms) {
		e->level -= rl->window_ms;
		return 0;
	}

	if (first)
		*first = !e->refusing;
	e->refusing = true;

	/* The units one token lacks, refilled at limit a millisecond. */
	return (uint32_t)((rl->window_ms - e->level + rl->limit - 1) /
			  rl->limit);
}


/**
 * Number of keys held
 *
 * @param rl Table
 *
 * @return keys in the table
 */
uint32_t ratelimit_count(const struct ratelimit *rl)
{
	return rl ? rl->count : 0;
}
