/**
 * @file acd/acd.h  Automatic call distribution: agents, queues, calls, CDRs
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the ACD knows agents (staff with a registered contact), the
 * calls in progress and the order in which waiting calls meet free agents.
 * It knows nothing of SIP: the SIP front end creates an acd_call for each
 * call, queues inbound ones, and the ACD asks it, through the offer
 * handler, to ring one agent at a time; the front end reports back
 * (ringing, answered, failed).  When an acd_call ends, the ACD writes its
 * CDR and puts the agent into after-call work, then back to free.
 * Everything runs on the main loop thread.
 */

struct acd;
struct acd_call;
struct store;
struct config;
struct re_printf;

/*
 * The routing strategies a skill group may name, default first, as
 * X(name, handler, ring mode).  One list: the API includes this header
 * to accept exactly these names (it needs no ACD code for that), and
 * acd/strategy.c builds its table from it, so the two can not drift
 * apart.  ring-all and ring-progressively ring several agents at once,
 * in longest-idle order.
 */
#define ACD_STRATEGIES(X)                                              \
	X("longest-idle",       acd_longest_idle,    ACD_RING_ONE)          \
	X("round-robin",        acd_round_robin,     ACD_RING_ONE)          \
	X("top-down",           acd_top_down,        ACD_RING_ONE)          \
	X("fewest-calls",       acd_fewest_calls,    ACD_RING_ONE)          \
	X("least-talk-time",    acd_least_talk_time, ACD_RING_ONE)          \
	X("random",             acd_random,          ACD_RING_ONE)          \
	X("ring-all",           acd_longest_idle,    ACD_RING_ALL)          \
	X("ring-progressively", acd_longest_idle,    ACD_RING_PROGRESSIVE)

enum acd_agent_status {
	ACD_AGENT_OFFLINE = 0,
	ACD_AGENT_FREE,
	ACD_AGENT_BUSY,
	ACD_AGENT_ARRANGE,
	ACD_AGENT_NOTREADY,
	ACD_AGENT_REST,
};

enum acd_call_state {
	ACD_CALL_OFFERED = 0,
	ACD_CALL_QUEUED,
	ACD_CALL_RINGING,
	ACD_CALL_TALKING,
	ACD_CALL_ENDED,
};

/*
 * A change of an agent's status, as stored in the history and told to the
 * status handler (the SIP front end, which tells the agent's SDK).
 */
struct acd_status_event {
	const char *app;
	const char *user_id;
	enum acd_agent_status from;
	enum acd_agent_status to;
	const char *reason;    /* rest reason, or why the system changed it */
	const char *actor;     /* "system", "agent" or a supervisor's SecretId */
	enum acd_agent_status pending;  /* reserved for after the call, or
					   ACD_AGENT_OFFLINE when none */
	const char *pending_reason;
	uint64_t at_ms;        /* Unix ms */
};

typedef void (acd_status_h)(const struct acd_status_event *ev, void *arg);

/* What the API shows of one agent */
struct acd_agent_info {
	enum acd_agent_status status;
	char reason[64];
	uint64_t since_ms;               /* Unix ms of the last change */
	bool registered;
	enum acd_agent_status pending;   /* ACD_AGENT_OFFLINE when none */
	char pending_reason[64];
	uint64_t arrange_until_ms;       /* end of after-call work, or 0 */
	char call_id[64];                /* offered or connected call */
	char actor[80];                  /* who made the last change */
	char contact[256];               /* registered contact, or "" */
	bool notes_refused;              /* the contact refused status notes */
};

/* Where an inbound call is offered: ring this agent's contact. */
typedef void (acd_offer_h)(struct acd_call *call, const char *user_id,
			   const char *contact, uint32_t ring_timeout_s,
			   void *arg);
/* The call could wait no longer: err is ETIMEDOUT (max wait, no
 * overflow group), EOVERFLOW (the overflow group's queue is full) or
 * another error of the overflow group (ENOENT). */
typedef void (acd_timeout_h)(struct acd_call *call, int err, void *arg);

int  acd_alloc(struct acd **acdp, struct store *st, const struct config *cfg);
int  acd_status_print(struct re_printf *pf, const char *app, void *arg);
const char *acd_agent_status_str(enum acd_agent_status status);
const char *acd_call_state_str(enum acd_call_state state);

/* Agent statuses.  A request comes from the agent (actor "agent") or a
 * supervisor (actor = their SecretId).  to may be free, notReady, rest
 * (reason: one of the application's rest reasons) or arrange (start or
 * extend after-call work by arrange_s).  During a call, or with
 * after_call, the status is reserved for when the call and its wrap-up
 * end (*pendingp true).  Errors: EINVAL status or reason not allowed,
 * ENOENT no such staff member, ENOTCONN the agent is offline. */
int  acd_agent_status_parse(const char *s, enum acd_agent_status *statusp);
int  acd_agent_status_request(struct acd *acd, const char *app,
			      const char *user_id, enum acd_agent_status to,
			      const char *reason, uint32_t arrange_s,
			      bool after_call, const char *actor,
			      bool *pendingp);
int  acd_agent_info(const struct acd *acd, const char *app,
		    const char *user_id, struct acd_agent_info *info);
void acd_status_handler_set(struct acd *acd, acd_status_h *h, void *arg);
/* The agent's contact refused a status note (a desk phone: 415, 405):
 * remembered until the agent registers another contact. */
void acd_agent_notes_refused(struct acd *acd, const char *app,
			     const char *user_id, const char *contact);

/* Agents */
int  acd_agent_register(struct acd *acd, const char *app, const char *user_id,
			const char *contact, const char *transport,
			const struct sa *source, uint32_t expires_s);
int  acd_agent_unregister(struct acd *acd, const char *app,
			  const char *user_id);
enum acd_agent_status acd_agent_status(const struct acd *acd,
				       const char *app, const char *user_id);

/* Calls */
int  acd_call_alloc(struct acd_call **callp, struct acd *acd, const char *app,
		    bool inbound, const char *caller, const char *callee);
const char *acd_call_id(const struct acd_call *call);
int  acd_call_queue(struct acd_call *call, const char *group,
		    acd_offer_h *offerh, acd_timeout_h *timeouth, void *arg);
void acd_call_set_priority(struct acd_call *call, int priority);
/* Position (1 = next) and estimated wait of a waiting call (position.c) */
#define ACD_EWT_UNKNOWN UINT32_MAX
int  acd_call_position(const struct acd_call *call, uint32_t *posp,
		       uint32_t *ewt_sp);
void acd_call_ringing(struct acd_call *call);
void acd_call_offer_failed(struct acd_call *call, const char *user_id,
			   bool no_answer);
void acd_call_answered(struct acd_call *call, const char *user_id);
int  acd_call_outbound(struct acd_call *call, const char *user_id,
		       char *callerid, size_t sz);
void acd_call_set_info(struct acd_call *call, const char *uui,
		       const char *remark);
void acd_call_end(struct acd_call *call, const char *status,
		  const char *side, uint16_t scode);

/* Live figures for supervisors and monitoring (acd/metrics.c), read from
 * the ACD's state as it is now.  Waiting calls are the inbound calls not
 * yet answered: queued, or ringing an agent. */
struct acd_queue_now {
	uint32_t waiting;
	uint32_t ringing;               /* of the waiting, ringing an agent */
	uint32_t talking;
	uint64_t longest_wait_ms;       /* of the waiting calls */
	uint32_t agents[ACD_AGENT_REST + 1];   /* members, by status */
};

struct acd_app_now {
	uint32_t registered;            /* agents with a registered contact */
	uint32_t calls[ACD_CALL_ENDED + 1];    /* calls in progress, by state */
	uint32_t agents[ACD_AGENT_REST + 1];   /* staff, by status */
};

int  acd_queue_now(const struct acd *acd, const char *app,
		   const char *group, struct acd_queue_now *qn);
int  acd_app_now(const struct acd *acd, const char *app,
		 struct acd_app_now *an);
