/**
 * @file common/replay.c  Digest nonce-count replay tracker
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A hash of the nonces in use plus a list of them in order of first use,
 * the oldest first: expiry and eviction both take from the head.  Only
 * nonces that came with a right digest get here (the caller checks the
 * digest and the nonce's signature first), so a peer without a password
 * cannot add entries, and the nonce's signature makes its hash one the
 * peer cannot aim.
 */
#include <string.h>
#include <re.h>
#include "common/replay.h"


struct replay_entry {
	struct le he;               /* in rp->ht */
	struct le le;               /* in rp->order, first used first */
	char nonce[REPLAY_NONCE_SZ];
	uint64_t issued_s;
	uint32_t nc_max;            /* highest count accepted */
};

struct replay {
	struct hash *ht;
	struct list order;
	uint32_t max_nonces;
	uint32_t ttl_s;
	uint32_t count;             /* entries in order */
	uint64_t horizon_s;         /* nonces issued up to here: refused */
	bool evicted;               /* horizon_s is set */
};


static void entry_destructor(void *arg)
{
	struct replay_entry *e = arg;

	hash_unlink(&e->he);
	list_unlink(&e->le);
}


static void replay_destructor(void *arg)
{
	struct replay *rp = arg;

	list_flush(&rp->order);
	rp->ht = mem_deref(rp->ht);
}


/**
 * Allocate a tracker
 *
 * @param rpp        Returned tracker
 * @param max_nonces Nonces kept at most, >= 1
 * @param ttl_s      Lifetime of a nonce from its issue, >= 1
 *
 * @return 0 if success, otherwise errorcode
 */
int replay_alloc(struct replay **rpp, uint32_t max_nonces, uint32_t ttl_s)
{
	struct replay *rp;
	uint32_t bsize = 16;
	int err;

	if (!rpp || !max_nonces || !ttl_s)
		return EINVAL;

	rp = mem_zalloc(sizeof(*rp), replay_destructor);
	if (!rp)
		return ENOMEM;

	while (bsize < max_nonces / 4 && bsize < (1u << 16))
		bsize <<= 1;

	err = hash_alloc(&rp->ht, bsize);
	if (err) {
		mem_deref(rp);
		return err;
	}

	list_init(&rp->order);
	rp->max_nonces = max_nonces;
	rp->ttl_s      = ttl_s;

	*rpp = rp;
	return 0;
}


/* Drop what has expired, from the head while it has. */
static void expire(struct replay *rp, uint64_t now_s)
{
	struct le *le;

	while ((le = list_head(&rp->order))) {
		struct replay_entry *e = le->data;

		if (e->issued_s + rp->ttl_s >= now_s)
			break;

		mem_deref(e);
		--rp->count;
	}
}


static struct replay_entry *find(struct replay *rp, const struct pl *nonce,
				 uint32_t h)
{
	struct le *le;

	LIST_FOREACH(hash_list(rp->ht, h), le) {
		struct replay_entry *e = le->data;

		if (!pl_strcmp(nonce, e->nonce))
			return e;
	}

	return NULL;
}


/**
 * Use a nonce with a nonce-count
 *
 * @param rp       Tracker
 * @param nonce    The nonce, as the client sent it
 * @param issued_s When the nonce was issued
 * @param nc       The request's nonce-count; 0 for a request without qop
 * @param now_s    Current time
 *
 * @return 0 if the count is new and higher than any seen with this nonce
 *         (it is recorded), EALREADY if not (a replay, or a request
 *         overtaken by a later one), ETIMEDOUT if the nonce expired or
 *         was forgotten to make room, EINVAL for bad arguments
 */
int replay_use(struct replay *rp, const struct pl *nonce, uint64_t issued_s,
	       uint32_t nc, uint64_t now_s)
{
	struct replay_entry *e;
	uint32_t h;

	if (!rp || !pl_isset(nonce) || nonce->l >= REPLAY_NONCE_SZ)
		return EINVAL;

	expire(rp, now_s);

	if (issued_s + rp->ttl_s < now_s ||
	    (rp->evicted && issued_s <= rp->horizon_s))
		return ETIMEDOUT;

	h = hash_joaat((const uint8_t *)nonce->p, nonce->l);
	e = find(rp, nonce, h);
	if (e) {
		if (nc <= e->nc_max)
			return EALREADY;

		e->nc_max = nc;
		return 0;
	}

	/* list_count() walks the list: keep our own count. */
	if (rp->count >= rp->max_nonces) {
		struct replay_entry *old = list_ledata(list_head(&rp->order));

		if (!rp->evicted || old->issued_s > rp->horizon_s)
			rp->horizon_s = old->issued_s;
		rp->evicted = true;
		mem_deref(old);
		--rp->count;

		if (issued_s <= rp->horizon_s)
			return ETIMEDOUT;
	}

	e = mem_zalloc(sizeof(*e), entry_destructor);
	if (!e)
		return ENOMEM;

	(void)pl_strcpy(nonce, e->nonce, sizeof(e->nonce));
	e->issued_s = issued_s;
	e->nc_max   = nc;
	hash_append(rp->ht, h, &e->he, e);
	list_append(&rp->order, &e->le, e);
	++rp->count;

	return 0;
}


/* Nonces tracked now (for tests) */
uint32_t replay_count(const struct replay *rp)
{
	return rp ? rp->count : 0;
}
