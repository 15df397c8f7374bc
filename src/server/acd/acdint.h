/**
 * @file acd/acdint.h  ACD internals shared by the files of acd/
 *
 * Copyright (C) 2026 The lianluo authors
 */

enum {
	ACD_MAX_TRIED     = 16,
	ACD_MAX_RINGING   = 32,   /* agents rung at once for one call */
	ACD_MAX_MISSES    = 3,    /* unanswered offers in a row: notReady */
	ACD_MAX_OVERFLOWS = 3,    /* group hops of one call, against cycles */
	ACD_REASON_SZ     = 64,
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
	struct hash *rr;              /**< struct acd_rr, per group */
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
};

struct acd_call {
	struct le le;                 /**< in acd->calls */
	struct le qle;                /**< in acd->queue while waiting */
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

/* Round-robin's memory of one skill group: the agent offered last */
struct acd_rr {
	struct le he;
	char app[STORE_ID_SZ];
	char group[STORE_NAME_SZ];
	char last[STORE_ID_SZ];
};

/* A strategy picks one agent among the free candidates of the call's
 * group (in member order, by user id), or returns NULL. */
typedef struct acd_agent *(acd_select_h)(struct acd *acd,
					 const struct acd_call *call,
					 struct acd_agent **candv,
					 size_t candc);

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
};

const struct acd_strategy *acd_strategy_find(const char *name);

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
