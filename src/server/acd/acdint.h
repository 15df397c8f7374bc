/**
 * @file acd/acdint.h  ACD internals shared by the files of acd/
 *
 * Copyright (C) 2026 The lianluo authors
 */

#include "common/otree.h"

enum {
	ACD_MAX_TRIED     = 16,
	ACD_MAX_RINGING   = 32,   /* agents rung at once for one call */
	ACD_MAX_MISSES    = 3,    /* unanswered offers in a row: notReady */
	ACD_MAX_OVERFLOWS = 3,    /* group hops of one call, against cycles */
	ACD_REASON_SZ     = 64,
	ACD_LEVELS        = 5,    /* skill levels 1..5 (store/staff.c) */
};

struct acd {
	struct store *st;             /**< (ref.) */
	const struct config *cfg;
	struct hash *agents;          /**< struct acd_agent, by app/user */
	struct list calls;            /**< every call in progress */
	struct list queue;            /**< waiting calls, oldest first */
	struct tmr dispatch_tmr;
	struct tmr tick_tmr;
	acd_status_h *statush;        /**< told of every status change */
	void *statush_arg;
	struct hash *groups;          /**< struct acd_group, by app/name */
	struct list delayed;          /**< free agents within a reject or
					   no-answer delay, by its end */
	uint32_t groupc;              /**< groups in acd->groups */
	struct list waiting;          /**< struct acd_group with calls
					   waiting */
	uint64_t queue_seq;           /**< arrival order of queued calls */
	int64_t retention_last;       /**< Unix s of the last CDR expiry */
};

struct acd_agent {
	struct le he;
	struct acd *acd;
	char app[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char contact[STORE_URI_SZ];
	char transport[8];
	struct sa source;
	int64_t reg_expires;          /**< Unix seconds; 0 = not registered */
	enum acd_agent_status status;
	char reason[ACD_REASON_SZ];   /**< rest reason, or why the system
					   changed the status */
	enum acd_agent_status pending;   /**< after the call; OFFLINE none */
	char pending_reason[ACD_REASON_SZ];
	uint64_t arrange_until_ms;    /**< end of after-call work */
	uint64_t since_ms;            /**< wall clock of the last change */
	char actor[STORE_SECRET_SZ];  /**< who made the last change */
	uint64_t idle_since;          /**< monotonic ms, for longest-idle */
	struct acd_call *call;        /**< ringing or connected call */
	uint32_t misses;
	uint64_t offer_after;         /**< monotonic ms: no offer before */
	bool notes_refused;           /**< contact takes no status notes */
	uint32_t answered;            /**< calls answered since start */
	uint64_t talk_ms;             /**< talk time since start */
	struct tmr wrapup_tmr;
	struct list members;          /**< struct acd_member, its groups */
	struct le dle;                /**< in acd->delayed */
	bool routed;                  /**< its members are in the trees */
};

struct acd_call {
	struct le le;                 /**< in acd->calls */
	struct le qle;                /**< in acd->queue while waiting */
	struct le gqle;               /**< in qgrp->queue while waiting */
	struct acd_group *qgrp;       /**< whose queue it waits in */
	struct acd *acd;
	struct store_cdr cdr;
	enum acd_call_state state;
	struct store_group group;
	struct acd_agent *agent;      /**< connected agent */
	struct acd_agent *ringv[ACD_MAX_RINGING];  /**< being rung */
	size_t ringc;
	struct tmr step_tmr;          /**< ring-progressively adds one */
	char tried[ACD_MAX_TRIED][STORE_ID_SZ];
	size_t triedc;
	acd_offer_h *offerh;
	acd_timeout_h *timeouth;
	void *arg;
	struct tmr maxwait_tmr;
	uint64_t since_ms;
	int priority;                 /**< higher is served first */
	uint64_t seq;                 /**< arrival order, for ties */
	uint32_t overflows;           /**< group hops so far */
	char last_agent[STORE_ID_SZ]; /**< for last-agent-first; "" none */
	bool last_agent_known;        /**< last_agent was looked up */
};

/*
 * The order a strategy picks in: route.c keeps the free members of each
 * skill level sorted by it, so that the pick is the first member not
 * yet tried (or, for round-robin and random, a rank).  Ties fall to the
 * user id, so every order is total.
 */
enum acd_order {
	ACD_ORDER_USER = 0,   /* user id: top-down, round-robin, random,
				 ring-all */
	ACD_ORDER_IDLE,       /* idle since (longest first) */
	ACD_ORDER_CALLS,      /* calls answered, then idle since */
	ACD_ORDER_TALK,       /* talk time, then idle since */
};

struct acd_strategy;

/* The routing index of one skill group (route.c) */
struct acd_group {
	struct le he;                 /* in acd->groups */
	struct acd *acd;
	char app[STORE_ID_SZ];
	char name[STORE_NAME_SZ];
	const struct acd_strategy *strat;  /* the group's, as loaded */
	struct otree levelv[ACD_LEVELS];   /* free members, level 1 first */
	struct list members;          /* struct acd_member */
	char rr_last[STORE_ID_SZ];    /* round-robin: offered last */
	bool stale;                   /* the store changed: load again */
	struct list queue;            /* struct acd_call waiting, in the
					 order they are served */
	struct le wle;                /* in acd->waiting while queued */
};

/* One agent in one group; in a tree of the group while free */
struct acd_member {
	struct otree_node node;       /* first: the trees hold nodes */
	uint64_t k1, k2;              /* the key it was inserted with */
	char user_id[STORE_ID_SZ];    /* a copy: a tree walk compares keys
					 without touching the agents */
	struct acd_agent *ag;
	struct acd_group *grp;
	uint32_t level;               /* 1..ACD_LEVELS */
	struct le gle;                /* in grp->members */
	struct le ale;                /* in ag->members */
};

/* Where one call may go now (acd_route_find) */
struct acd_route {
	struct acd_group *grp;
	struct otree *lvl;            /* the level to pick in; NULL none */
	struct acd_agent *last;       /* the caller's last agent, if free */
	bool use_tried;               /* a new round: tried agents count */
	bool empty;                   /* no free agent in the group at all */
};

/* A strategy picks one agent of rt->lvl not tried by the call, or
 * returns NULL.  rnd is a random number (random); commit false asks
 * without changing anything (round-robin's memory). */
typedef struct acd_agent *(acd_select_h)(const struct acd_route *rt,
					 const struct acd_call *call,
					 uint32_t rnd, bool commit);

/* How many agents ring for one call at a time */
enum acd_ring_mode {
	ACD_RING_ONE = 0,       /* one, the next after a failed offer */
	ACD_RING_ALL,           /* every free agent of the level at once */
	ACD_RING_PROGRESSIVE,   /* one more every ring_step_s */
};

struct acd_strategy {
	const char *name;
	acd_select_h *selecth;
	enum acd_ring_mode ring;
	enum acd_order order;
};

const struct acd_strategy *acd_strategy_find(const char *name);

/* route.c */
int  acd_route_init(struct acd *acd);
void acd_route_close(struct acd *acd);
void acd_route_update(struct acd_agent *ag);
int  acd_route_agent_attach(struct acd_agent *ag);
void acd_route_agent_detach(struct acd_agent *ag);
void acd_route_promote(struct acd *acd);
struct acd_group *acd_route_group(struct acd *acd, const char *app,
				  const char *name);
struct acd_group *acd_route_group_obj(struct acd *acd, const char *app,
				      const char *name);
bool acd_route_has_free(struct acd_group *grp);
int  acd_route_find(struct acd_route *rt, struct acd *acd,
		    struct acd_call *call, bool commit);
struct acd_agent *acd_route_pick(struct acd *acd, struct acd_call *call,
				 uint32_t rnd, bool commit, bool *emptyp);
struct acd_agent *acd_route_first(const struct acd_route *rt,
				  const struct acd_call *call, uint32_t from);
size_t acd_route_list(const struct acd_route *rt,
		      const struct acd_call *call, struct acd_agent **agv,
		      size_t max);
struct acd_agent *acd_route_nth(const struct acd_route *rt,
				const struct acd_call *call, uint32_t k,
				bool modulo);
bool acd_call_tried(const struct acd_call *call, const char *user_id);
void acd_member_key(const struct acd_agent *ag, enum acd_order order,
		    uint64_t *k1, uint64_t *k2);

uint64_t acd_now_ms(void);
struct acd_agent *acd_agent_find(const struct acd *acd, const char *app,
				 const char *user_id);
int  acd_agent_alloc(struct acd_agent **agp, struct acd *acd,
		     const char *app, const char *user_id);
int  acd_agents_restore(struct acd *acd);
void acd_agents_settle_restored(struct acd *acd);
void acd_agent_change(struct acd_agent *ag, enum acd_agent_status to,
		      const char *reason, const char *actor);
void acd_agent_release(struct acd_agent *ag, bool talked, uint32_t wrapup_s);
void acd_agent_call_out(struct acd_agent *ag);
int  acd_agents_print(struct re_printf *pf, const struct acd *acd,
		      const char *app);
int  acd_agents_load(struct acd *acd);
void acd_agents_expire(struct acd *acd, int64_t now);
void acd_dispatch_schedule(struct acd *acd);
int  acd_calls_print(struct re_printf *pf, const struct acd *acd,
		     const char *app);
