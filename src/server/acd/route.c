/**
 * @file acd/route.c  The routing index: free agents per group and level
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: a routing decision must not depend on the size of the site.
 * So the ACD keeps in memory, for every skill group it routes to (loaded
 * from the store on first use), its members (struct acd_member, one per
 * agent and group) and, per skill level, a tree of the members who may
 * be offered a call now, sorted in the order of the group's strategy
 * (enum acd_order).  A decision then costs O(levels + tried) tree
 * lookups of O(log n) each, and no SQLite.
 *
 * An agent's members are in the trees exactly when the agent is free,
 * has no call, has a contact and is past its reject or no-answer delay.
 * acd_route_update() makes that so after each change of those fields,
 * or of a sort key (idle since, calls answered, talk time); every key is
 * copied into the member when it is inserted, so a key may change while
 * the agent is in a tree and removal still finds it.  Agents within a
 * delay wait in acd->delayed, sorted by its end, and enter the trees
 * when a routing decision finds the delay over (as the old scan did).
 *
 * Memberships change only through the store (the API); the store tells
 * us (store_member_change_handler_set) and the group is loaded again on
 * its next use.  A new agent object (first registration) joins the
 * groups already loaded.  tests/unit/test_acd_random.c checks after every
 * step that the trees hold exactly what a naive scan of the store finds.
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


enum {
	GROUP_HASH_SIZE = 64,
};


static int member_cmp(const struct otree_node *a, const struct otree_node *b)
{
	const struct acd_member *x = (const struct acd_member *)a;
	const struct acd_member *y = (const struct acd_member *)b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;

	return strcmp(x->user_id, y->user_id);
}


void acd_member_key(const struct acd_agent *ag, enum acd_order order,
		    uint64_t *k1, uint64_t *k2)
{
	switch (order) {

	case ACD_ORDER_IDLE:
		*k1 = ag->idle_since;
		*k2 = 0;
		break;

	case ACD_ORDER_CALLS:
		*k1 = ag->answered;
		*k2 = ag->idle_since;
		break;

	case ACD_ORDER_TALK:
		*k1 = ag->talk_ms;
		*k2 = ag->idle_since;
		break;

	default:
		*k1 = 0;
		*k2 = 0;
		break;
	}
}


static struct otree *member_tree(const struct acd_member *mb)
{
	return (struct otree *)&mb->grp->levelv[mb->level - 1];
}


static void member_index(struct acd_member *mb)
{
	acd_member_key(mb->ag, mb->grp->strat->order, &mb->k1, &mb->k2);
	(void)otree_insert(member_tree(mb), &mb->node);
}


static void member_unindex(struct acd_member *mb)
{
	if (otree_node_linked(&mb->node))
		(void)otree_remove(member_tree(mb), &mb->node);
}


static void member_destructor(void *arg)
{
	struct acd_member *mb = arg;

	member_unindex(mb);
	list_unlink(&mb->gle);
	list_unlink(&mb->ale);
}


static int member_add(struct acd_group *grp, struct acd_agent *ag,
		      uint32_t level)
{
	struct acd_member *mb;

	mb = mem_zalloc(sizeof(*mb), member_destructor);
	if (!mb)
		return ENOMEM;

	mb->grp = grp;
	mb->ag = ag;
	str_ncpy(mb->user_id, ag->user_id, sizeof(mb->user_id));
	mb->level = level < 1 ? 1 : level > ACD_LEVELS ? ACD_LEVELS : level;

	list_append(&grp->members, &mb->gle, mb);
	list_append(&ag->members, &mb->ale, mb);

	if (ag->routed)
		member_index(mb);

	return 0;
}


static bool routable(const struct acd_agent *ag)
{
	return ag->status == ACD_AGENT_FREE && !ag->call && ag->contact[0];
}


static void agent_index(struct acd_agent *ag)
{
	ag->routed = true;

	for (struct le *le = ag->members.head; le; le = le->next)
		member_index(le->data);
}


/**
 * Put the agent's members where its state says: in the trees, among the
 * delayed, or nowhere.  Call after any change of status, call, contact,
 * offer delay or sort key; calling it more often does no harm.
 */
void acd_route_update(struct acd_agent *ag)
{
	struct acd *acd = ag->acd;
	struct le *le;

	list_unlink(&ag->dle);
	ag->routed = false;
	for (le = ag->members.head; le; le = le->next)
		member_unindex(le->data);

	if (!routable(ag))
		return;

	if (ag->offer_after <= tmr_jiffies()) {
		agent_index(ag);
		return;
	}

	/* Delays are short and of two lengths: walk from the tail. */
	for (le = acd->delayed.tail; le; le = le->prev) {
		const struct acd_agent *d = le->data;

		if (d->offer_after <= ag->offer_after)
			break;
	}

	if (le)
		list_insert_after(&acd->delayed, le, &ag->dle, ag);
	else
		list_prepend(&acd->delayed, &ag->dle, ag);
}


/* Agents whose delay is over enter the trees. */
void acd_route_promote(struct acd *acd)
{
	uint64_t now = tmr_jiffies();

	while (acd->delayed.head) {
		struct acd_agent *ag = acd->delayed.head->data;

		if (ag->offer_after > now)
			break;

		list_unlink(&ag->dle);
		agent_index(ag);
	}
}


static void members_clear(struct acd_group *grp)
{
	list_flush(&grp->members);
}


static void group_destructor(void *arg)
{
	struct acd_group *grp = arg;

	members_clear(grp);
	list_clear(&grp->queue);     /* the calls are the front end's */
	list_unlink(&grp->wle);
	hash_unlink(&grp->he);
}


static uint32_t group_key(const char *app, const char *name)
{
	return hash_joaat_str(app) ^ hash_joaat_str(name);
}


struct group_match {
	const char *app;
	const char *name;
};


static bool group_cmp_handler(struct le *le, void *arg)
{
	const struct acd_group *grp = le->data;
	const struct group_match *m = arg;

	return 0 == strcmp(grp->app, m->app) &&
		0 == strcmp(grp->name, m->name);
}


static struct acd_group *group_find(const struct acd *acd, const char *app,
				    const char *name)
{
	struct group_match m = {app, name};
	struct le *le;

	le = hash_lookup(acd->groups, group_key(app, name), group_cmp_handler,
			 &m);

	return le ? le->data : NULL;
}


static void member_load_handler(const struct store_member *m, void *arg)
{
	struct acd_group *grp = arg;
	struct acd_agent *ag;

	ag = acd_agent_find(grp->acd, grp->app, m->user_id);
	if (ag)
		(void)member_add(grp, ag, m->level);
}


/* (Re)load a group's strategy and members from the store. */
static int group_load(struct acd_group *grp)
{
	struct acd *acd = grp->acd;
	struct store_group g;
	int err;

	members_clear(grp);

	err = store_group_get(acd->st, grp->app, grp->name, &g);
	if (err == ENOENT) {
		/* deleted: nobody to route to, until it is created again */
		grp->strat = acd_strategy_find(NULL);
		grp->stale = false;
		return 0;
	}
	if (err)
		return err;

	grp->strat = acd_strategy_find(g.strategy);

	err = store_member_list_by_group(acd->st, grp->app, grp->name,
					 member_load_handler, grp);
	if (err) {
		members_clear(grp);
		return err;
	}

	grp->stale = false;

	return 0;
}


/**
 * The ACD's object of a group, created (empty, to be loaded) if needed;
 * it lives as long as the ACD, so calls may point to it
 *
 * @return the group, or NULL if out of memory
 */
struct acd_group *acd_route_group_obj(struct acd *acd, const char *app,
				      const char *name)
{
	struct acd_group *grp;

	if (!acd || !app || !name)
		return NULL;

	grp = group_find(acd, app, name);
	if (!grp) {
		grp = mem_zalloc(sizeof(*grp), group_destructor);
		if (!grp)
			return NULL;

		grp->acd = acd;
		str_ncpy(grp->app, app, sizeof(grp->app));
		str_ncpy(grp->name, name, sizeof(grp->name));
		grp->strat = acd_strategy_find(NULL);
		list_init(&grp->members);
		for (size_t i = 0; i < ACD_LEVELS; i++)
			otree_init(&grp->levelv[i], member_cmp);
		grp->stale = true;
		list_init(&grp->queue);
		hash_append(acd->groups, group_key(app, name), &grp->he, grp);
		++acd->groupc;
	}

	return grp;
}


/**
 * The routing index of a group, loaded (again) if needed
 *
 * @return the group, or NULL if it could not be loaded
 */
struct acd_group *acd_route_group(struct acd *acd, const char *app,
				  const char *name)
{
	struct acd_group *grp;
	int err;

	grp = acd_route_group_obj(acd, app, name);
	if (!grp || !grp->stale)
		return grp;

	err = group_load(grp);
	if (err) {
		log_warn("acd: group %s: members not loaded: %m", name, err);
		return NULL;
	}

	return grp;
}


static bool stale_handler(struct le *le, void *arg)
{
	struct acd_group *grp = le->data;
	const char *app = arg;

	if (0 == strcmp(grp->app, app))
		grp->stale = true;

	return false;
}


/* The store changed members: load the group (or the app's) again. */
static void member_change_handler(const char *app, const char *group,
				  void *arg)
{
	struct acd *acd = arg;
	struct acd_group *grp;

	if (!app)
		return;

	/* a waiting caller may have a new agent: look at once */
	acd_dispatch_schedule(acd);

	if (!group) {
		(void)hash_apply(acd->groups, stale_handler, (void *)app);
		return;
	}

	grp = group_find(acd, app, group);
	if (grp)
		grp->stale = true;
}


struct attach_ctx {
	struct acd_agent *ag;
	int err;
};


static void attach_handler(const struct store_member *m, void *arg)
{
	struct attach_ctx *ctx = arg;
	struct acd_group *grp;

	grp = group_find(ctx->ag->acd, ctx->ag->app, m->group);
	if (grp && !grp->stale)
		ctx->err |= member_add(grp, ctx->ag, m->level);
}


/**
 * A new agent object joins the groups already loaded that it is a
 * member of (the others find it when they load).
 */
int acd_route_agent_attach(struct acd_agent *ag)
{
	struct attach_ctx ctx = {ag, 0};
	int err;

	/* At start-up no group is loaded yet: nothing to join. */
	if (!ag->acd->groupc)
		return 0;

	err = store_member_list_by_user(ag->acd->st, ag->app, ag->user_id,
					attach_handler, &ctx);

	return err ? err : ctx.err;
}


void acd_route_agent_detach(struct acd_agent *ag)
{
	list_unlink(&ag->dle);
	list_flush(&ag->members);
	ag->routed = false;
}


/**
 * True if the group has a free agent now (loaded again if it changed);
 * a waiting call of it can then be offered, by a new round if need be.
 */
bool acd_route_has_free(struct acd_group *grp)
{
	if (grp->stale && !acd_route_group(grp->acd, grp->app, grp->name))
		return false;

	for (size_t i = 0; i < ACD_LEVELS; i++) {
		if (otree_count(&grp->levelv[i]))
			return true;
	}

	return false;
}


bool acd_call_tried(const struct acd_call *call, const char *user_id)
{
	for (size_t i = 0; i < call->triedc; i++) {
		if (0 == strcmp(call->tried[i], user_id))
			return true;
	}

	return false;
}


static bool skip(const struct acd_route *rt, const struct acd_call *call,
		 const struct acd_agent *ag)
{
	return !rt->use_tried && acd_call_tried(call, ag->user_id);
}


/**
 * The first agent of the level, from rank from on, that the call has not
 * tried; at most call->triedc members are passed over.
 */
struct acd_agent *acd_route_first(const struct acd_route *rt,
				  const struct acd_call *call, uint32_t from)
{
	const struct acd_member *mb;

	if (!rt->lvl)
		return NULL;

	/* The usual case, nobody tried yet: the smallest, in O(1). */
	mb = from ? NULL : (void *)otree_first(rt->lvl);
	if (mb && !skip(rt, call, mb->ag))
		return mb->ag;

	while ((mb = (void *)otree_at(rt->lvl, from++))) {
		if (!skip(rt, call, mb->ag))
			return mb->ag;
	}

	return NULL;
}


/**
 * The first max agents of the level, in its order, that the call has
 * not tried (ring-all rings them)
 *
 * @return how many were put in agv
 */
size_t acd_route_list(const struct acd_route *rt,
		      const struct acd_call *call, struct acd_agent **agv,
		      size_t max)
{
	const struct acd_member *mb;
	uint32_t r = 0;
	size_t n = 0;

	if (!rt->lvl)
		return 0;

	while (n < max && (mb = (void *)otree_at(rt->lvl, r++))) {
		if (!skip(rt, call, mb->ag))
			agv[n++] = mb->ag;
	}

	return n;
}


/* The member of ag in the route's group, if it is in the route's level */
static const struct acd_member *level_member(const struct acd_route *rt,
					     const struct acd_agent *ag)
{
	for (struct le *le = ag->members.head; le; le = le->next) {
		const struct acd_member *mb = le->data;

		if (mb->grp == rt->grp)
			return member_tree(mb) == rt->lvl &&
				otree_node_linked(&mb->node) ? mb : NULL;
	}

	return NULL;
}


/**
 * The k-th agent of the level (0 first) among those the call has not
 * tried: the ranks of the tried ones in the level are skipped.
 *
 * @param rt      Route
 * @param call    Call
 * @param k       Which one; past the end gives NULL
 * @param modulo  Take k modulo how many there are (k random)
 */
struct acd_agent *acd_route_nth(const struct acd_route *rt,
				const struct acd_call *call, uint32_t k,
				bool modulo)
{
	uint32_t rankv[ACD_MAX_TRIED];
	size_t rankc = 0;
	const struct acd_member *mb;
	uint32_t n;

	if (!rt->lvl)
		return NULL;

	for (size_t i = 0; !rt->use_tried && i < call->triedc; i++) {
		const struct acd_agent *ag;
		size_t j;

		ag = acd_agent_find(rt->grp->acd, rt->grp->app,
				    call->tried[i]);
		mb = ag ? level_member(rt, ag) : NULL;
		if (!mb)
			continue;

		/* insertion sort: at most ACD_MAX_TRIED ranks */
		rankv[rankc] = otree_rank(rt->lvl, &mb->node, NULL);
		for (j = rankc++; j && rankv[j - 1] > rankv[j]; j--) {
			uint32_t t = rankv[j];

			rankv[j] = rankv[j - 1];
			rankv[j - 1] = t;
		}
	}

	n = otree_count(rt->lvl) - (uint32_t)rankc;
	if (modulo && n)
		k %= n;
	if (k >= n)
		return NULL;

	for (size_t i = 0; i < rankc && rankv[i] <= k; i++)
		++k;

	mb = (void *)otree_at(rt->lvl, k);

	return mb ? mb->ag : NULL;
}


/* The lowest level with an agent the call has not tried */
static struct otree *level_find(struct acd_route *rt,
				const struct acd_call *call)
{
	for (size_t i = 0; i < ACD_LEVELS; i++) {
		rt->lvl = &rt->grp->levelv[i];
		if (acd_route_first(rt, call, 0))
			return rt->lvl;
	}

	rt->lvl = NULL;
	return NULL;
}


/* The caller's last agent, if free in this group and not tried */
static struct acd_agent *last_find(const struct acd_route *rt,
				   const struct acd_call *call)
{
	struct acd_agent *ag;

	if (!call->group.last_agent_first || !call->last_agent[0])
		return NULL;

	ag = acd_agent_find(rt->grp->acd, call->cdr.sdk_app_id,
			    call->last_agent);
	if (!ag || !ag->routed || skip(rt, call, ag))
		return NULL;

	for (struct le *le = ag->members.head; le; le = le->next) {
		const struct acd_member *mb = le->data;

		if (mb->grp == rt->grp)
			return otree_node_linked(&mb->node) ? ag : NULL;
	}

	return NULL;
}


/**
 * Where a call may go now: the lowest skill level of its group that has
 * a free agent the call has not tried, and its last agent.  When every
 * free agent was tried and nobody rings, a new round starts (the tried
 * list is cleared if commit).
 *
 * @return 0 if success, ENOMEM or a store error loading the group
 */
int acd_route_find(struct acd_route *rt, struct acd *acd,
		   struct acd_call *call, bool commit)
{
	bool any = false;

	memset(rt, 0, sizeof(*rt));

	acd_route_promote(acd);

	/* A waiting call knows its group: no lookup by name. */
	rt->grp = call->qgrp;
	if (!rt->grp || rt->grp->stale)
		rt->grp = acd_route_group(acd, call->cdr.sdk_app_id,
					  call->group.name);
	if (!rt->grp)
		return ENOMEM;

	if (!level_find(rt, call)) {
		for (size_t i = 0; i < ACD_LEVELS; i++)
			any |= otree_count(&rt->grp->levelv[i]) > 0;

		if (!any) {
			rt->empty = true;
			return 0;
		}

		/* Everyone free was tried once: a new round, unless
		 * someone still rings for the call. */
		if (call->ringc)
			return 0;

		rt->use_tried = true;
		if (commit)
			call->triedc = 0;
		(void)level_find(rt, call);
	}

	rt->last = last_find(rt, call);

	return 0;
}


/**
 * The agent a call goes to now: its last agent if the group asks for
 * that, else the group's strategy (ring-all: the first it rings).
 *
 * @param acd     ACD
 * @param call    A queued call
 * @param rnd     A random number, for the random strategy
 * @param commit  False: change nothing (for tests and benchmarks)
 * @param emptyp  Optional: set when the group has no free agent at all
 *
 * @return the agent, or NULL if there is none
 */
struct acd_agent *acd_route_pick(struct acd *acd, struct acd_call *call,
				 uint32_t rnd, bool commit, bool *emptyp)
{
	struct acd_route rt;

	if (emptyp)
		*emptyp = false;

	if (acd_route_find(&rt, acd, call, commit))
		return NULL;

	if (emptyp)
		*emptyp = rt.empty;

	if (!rt.lvl)
		return NULL;

	if (rt.grp->strat->ring == ACD_RING_ALL)
		return acd_route_first(&rt, call, 0);

	if (rt.last)
		return rt.last;

	return rt.grp->strat->selecth(&rt, call, rnd, commit);
}


int acd_route_init(struct acd *acd)
{
	int err;

	list_init(&acd->delayed);
	list_init(&acd->waiting);

	err = hash_alloc(&acd->groups, GROUP_HASH_SIZE);
	if (err)
		return err;

	store_member_change_handler_set(acd->st, member_change_handler, acd);

	return 0;
}


/* After the agents are gone: their members left the groups with them. */
void acd_route_close(struct acd *acd)
{
	store_member_change_handler_set(acd->st, NULL, NULL);

	hash_flush(acd->groups);
	acd->groups = mem_deref(acd->groups);
}
