/**
 * @file common/status_body.h  Agent status bodies carried in SIP MESSAGE
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The SDK asks the server for a status with a request body and the server
 * tells the SDK its status with a note body (docs/API.md, "Agent status
 * over SIP").  Both sides decode what the other wrote here, with pure
 * functions and fixed buffers, so the decoders can be tested alone and a
 * hostile body can only be refused.
 */

#define STATUS_BODY_CTYPE "application/vnd.lianluo.agent-status+json"

enum {
	STATUS_BODY_MAX      = 1024,   /* bytes; a longer body is refused */
	STATUS_BODY_DEPTH    = 1,      /* libre: nesting below the object */
	STATUS_NAME_SZ       = 16,
	STATUS_REASON_SZ     = 64,
	STATUS_ACTOR_SZ      = 64,
	STATUS_ARRANGE_MAX_S = 3600,
};

/* SDK -> server: {"status":...} sets, {} asks */
struct status_req {
	bool query;                        /* {} */
	char status[STATUS_NAME_SZ];
	char reason[STATUS_REASON_SZ];
	uint32_t arrange_s;
	bool after_call;
};

/* server -> SDK: the agent's status */
struct status_note {
	char status[STATUS_NAME_SZ];
	char reason[STATUS_REASON_SZ];
	char pending[STATUS_NAME_SZ];      /* "" when none */
	char pending_reason[STATUS_REASON_SZ];
	char actor[STATUS_ACTOR_SZ];
	uint64_t since_ms;
	uint64_t arrange_until_ms;
};

int  status_req_decode(struct status_req *req, const char *p, size_t n);
int  status_req_encode(struct re_printf *pf, const struct status_req *req);
int  status_note_decode(struct status_note *note, const char *p, size_t n);
int  status_note_encode(struct re_printf *pf,
			const struct status_note *note);
bool status_name_ok(const char *name);
