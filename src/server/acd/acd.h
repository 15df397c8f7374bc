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
 * X(name, handler).  One list: the API includes this header to accept
 * exactly these names (it needs no ACD code for that), and acd/strategy.c
 * builds its table from it, so the two can not drift apart.
 */
#define ACD_STRATEGIES(X)                        \
	X("longest-idle",    acd_longest_idle)    \
	X("round-robin",     acd_round_robin)     \
	X("top-down",        acd_top_down)        \
	X("fewest-calls",    acd_fewest_calls)    \
	X("least-talk-time", acd_least_talk_time) \
	X("random",          acd_random)

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

/* Where an inbound call is offered: ring this agent's contact. */
typedef void (acd_offer_h)(struct acd_call *call, const char *user_id,
			   const char *contact, uint32_t ring_timeout_s,
			   void *arg);
/* The call waited its group's max wait without meeting an agent. */
typedef void (acd_timeout_h)(struct acd_call *call, void *arg);

int  acd_alloc(struct acd **acdp, struct store *st, const struct config *cfg);
int  acd_status_print(struct re_printf *pf, const char *app, void *arg);
const char *acd_agent_status_str(enum acd_agent_status status);
const char *acd_call_state_str(enum acd_call_state state);

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
void acd_call_ringing(struct acd_call *call);
void acd_call_offer_failed(struct acd_call *call, bool no_answer);
void acd_call_answered(struct acd_call *call);
int  acd_call_outbound(struct acd_call *call, const char *user_id,
		       char *callerid, size_t sz);
void acd_call_set_info(struct acd_call *call, const char *uui,
		       const char *remark);
void acd_call_end(struct acd_call *call, const char *status,
		  const char *side, uint16_t scode);
