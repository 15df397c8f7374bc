/**
 * @file testroute.h  The naive router: what the routing index must agree
 *                    with
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The ACD's routing as it was before acd/route.c: read the group's
 * members in user id order, keep the free ones of the lowest skill level
 * (not tried by the call, unless all were: a new round), then scan them
 * for the strategy's pick.  Linear in the group's size, obviously right,
 * and sharing nothing with route.c but the agents' fields.
 * tests/unit/test_acd_random.c compares the index with it after every
 * step; bench/route_bench.c times both.  Include after re.h,
 * store/store.h, acd/acd.h and acd/acdint.h; no cmocka here.
 */


struct ref_member {
	char user_id[STORE_ID_SZ];
	uint32_t level;
	struct acd_agent *ag;       /* NULL: looked up by user id */
};

/* A group's members in the store's order (by user id) */
struct ref_group {
	struct ref_member *v;
	size_t n;
	size_t sz;
	struct acd_agent **candv;   /* scratch for ref_pick, sz long */
	int err;
};


static inline void ref_member_handler(const struct store_member *m,
				      void *arg)
{
	struct ref_group *rg = arg;

	if (rg->n == rg->sz) {
		size_t sz = rg->sz ? 2 * rg->sz : 64;
		struct ref_member *v;
		struct acd_agent **c;

		/* (libre's mem_realloc takes no NULL) */
		v = rg->v ? mem_realloc(rg->v, sz * sizeof(*v)) :
			mem_alloc(sz * sizeof(*v), NULL);
		c = rg->candv ? mem_realloc(rg->candv, sz * sizeof(*c)) :
			mem_alloc(sz * sizeof(*c), NULL);

		if (v)
			rg->v = v;
		if (c)
			rg->candv = c;
		if (!v || !c) {
			rg->err = ENOMEM;
			return;
		}
		rg->sz = sz;
	}

	str_ncpy(rg->v[rg->n].user_id, m->user_id, sizeof(rg->v[0].user_id));
	rg->v[rg->n].level = m->level;
	rg->v[rg->n].ag = NULL;
	++rg->n;
}


/* Read a group's members from the store (keeps the buffers) */
static inline int ref_load(struct ref_group *rg, struct store *st,
			   const char *app, const char *group)
{
	int err;

	rg->n = 0;
	rg->err = 0;
	err = store_member_list_by_group(st, app, group, ref_member_handler,
					 rg);

	return err ? err : rg->err;
}


static inline void ref_free(struct ref_group *rg)
{
	rg->v = mem_deref(rg->v);
	rg->candv = mem_deref(rg->candv);
	rg->n = rg->sz = 0;
}


static inline bool ref_free_now(const struct acd_agent *ag, uint64_t now)
{
	return ag && ag->status == ACD_AGENT_FREE && !ag->call &&
		ag->contact[0] && ag->offer_after <= now;
}


static inline bool ref_tried(const struct acd_call *call, const char *user)
{
	for (size_t i = 0; i < call->triedc; i++) {
		if (0 == strcmp(call->tried[i], user))
			return true;
	}

	return false;
}


/*
 * Who the call goes to: the caller's last agent (if the group asks and
 * they are free), else the strategy's pick among the free agents of the
 * lowest level; for ring-all the first one rung.  strategy is the
 * group's, rr_last round-robin's memory, rnd the random number the
 * index was given, now the monotonic ms.  Changes nothing.
 */
static inline struct acd_agent *ref_pick(struct ref_group *rg,
					 struct acd *acd,
					 const struct acd_call *call,
					 const char *strategy,
					 const char *rr_last, uint32_t rnd,
					 uint64_t now, bool *emptyp)
{
	struct acd_agent *last = NULL, *best = NULL;
	size_t candc = 0, triedc = 0;
	uint32_t level = 0;

	for (int pass = 0; pass < 2; pass++) {
		candc = triedc = 0;
		last = NULL;

		for (size_t i = 0; i < rg->n; i++) {
			struct acd_agent *ag;

			ag = rg->v[i].ag ? rg->v[i].ag :
				acd_agent_find(acd, call->cdr.sdk_app_id,
					       rg->v[i].user_id);
			if (!ref_free_now(ag, now))
				continue;

			if (pass == 0 && ref_tried(call, ag->user_id)) {
				++triedc;
				continue;
			}

			if (call->group.last_agent_first &&
			    0 == strcmp(ag->user_id, call->last_agent))
				last = ag;

			if (candc && rg->v[i].level > level)
				continue;
			if (candc && rg->v[i].level < level)
				candc = 0;
			level = rg->v[i].level;
			rg->candv[candc++] = ag;
		}

		/* a new round only when all were tried and nobody rings */
		if (candc || !triedc || call->ringc)
			break;
	}

	if (emptyp)
		*emptyp = !candc && !triedc;
	if (!candc)
		return NULL;

	if (0 == strcmp(strategy, "ring-all"))
		return rg->candv[0];
	if (last)
		return last;

	if (0 == strcmp(strategy, "top-down"))
		return rg->candv[0];

	if (0 == strcmp(strategy, "random"))
		return rg->candv[rnd % candc];

	if (0 == strcmp(strategy, "round-robin")) {
		for (size_t i = 0; i < candc; i++) {
			if (strcmp(rg->candv[i]->user_id, rr_last) > 0)
				return rg->candv[i];
		}
		return rg->candv[0];
	}

	for (size_t i = 0; i < candc; i++) {
		struct acd_agent *ag = rg->candv[i];
		uint64_t k = 0, bk = 0;

		if (0 == strcmp(strategy, "fewest-calls")) {
			k = ag->answered;
			bk = best ? best->answered : 0;
		}
		else if (0 == strcmp(strategy, "least-talk-time")) {
			k = ag->talk_ms;
			bk = best ? best->talk_ms : 0;
		}

		if (!best || k < bk ||
		    (k == bk && ag->idle_since < best->idle_since))
			best = ag;
	}

	return best;
}


/*
 * Check one group's index against the store and the agents: every
 * member with an agent object is there once, at its level, in a tree
 * exactly when free now, with its current key; the trees are sound.
 *
 * @return 0 if it agrees, EBADMSG with the reason in why if not
 */
static inline int ref_check_group(struct ref_group *rg, struct acd *acd,
				  const struct acd_group *grp, uint64_t now,
				  char *why, size_t sz)
{
	struct store_group g;
	size_t with_agent = 0, linked = 0, counted = 0;
	int err;

	err = ref_load(rg, acd->st, grp->app, grp->name);
	if (err) {
		(void)re_snprintf(why, sz, "%s: load: %m", grp->name, err);
		return err;
	}

	if (0 == store_group_get(acd->st, grp->app, grp->name, &g) &&
	    grp->strat != acd_strategy_find(g.strategy)) {
		(void)re_snprintf(why, sz, "%s: strategy %s, index has %s",
				  grp->name, g.strategy, grp->strat->name);
		return EBADMSG;
	}

	for (size_t i = 0; i < rg->n; i++) {
		const struct acd_agent *ag;
		const struct acd_member *mb = NULL;
		uint64_t k1, k2;

		ag = acd_agent_find(acd, grp->app, rg->v[i].user_id);
		if (!ag)
			continue;
		++with_agent;

		for (struct le *le = ag->members.head; le; le = le->next) {
			const struct acd_member *m = le->data;

			if (m->grp == grp) {
				if (mb) {
					(void)re_snprintf(why, sz, "%s: %s "
							  "twice", grp->name,
							  ag->user_id);
					return EBADMSG;
				}
				mb = m;
			}
		}

		if (!mb || mb->level != rg->v[i].level) {
			(void)re_snprintf(why, sz, "%s: %s missing or at the "
					  "wrong level", grp->name,
					  ag->user_id);
			return EBADMSG;
		}

		if (ref_free_now(ag, now) != otree_node_linked(&mb->node)) {
			(void)re_snprintf(why, sz, "%s: %s is %s but %s the "
					  "index", grp->name, ag->user_id,
					  acd_agent_status_str(ag->status),
					  otree_node_linked(&mb->node) ?
					  "in" : "not in");
			return EBADMSG;
		}

		if (!otree_node_linked(&mb->node))
			continue;
		++linked;

		acd_member_key(ag, grp->strat->order, &k1, &k2);
		if (k1 != mb->k1 || k2 != mb->k2) {
			(void)re_snprintf(why, sz, "%s: %s indexed with a "
					  "stale key", grp->name,
					  ag->user_id);
			return EBADMSG;
		}
	}

	for (size_t i = 0; i < ACD_LEVELS; i++) {
		if (otree_check(&grp->levelv[i])) {
			(void)re_snprintf(why, sz, "%s: tree of level %zu "
					  "unsound", grp->name, i + 1);
			return EBADMSG;
		}
		counted += otree_count(&grp->levelv[i]);
	}

	if (with_agent != list_count(&grp->members) || linked != counted) {
		(void)re_snprintf(why, sz, "%s: %zu members (index %u), %zu "
				  "free (index %zu)", grp->name, with_agent,
				  list_count(&grp->members), linked, counted);
		return EBADMSG;
	}

	return 0;
}
