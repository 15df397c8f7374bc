/**
 * @file store/store.h  Persistent state of lianluod, behind one interface
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: the store is called from the main loop thread only and is
 * synchronous.  It is implemented on SQLite (WAL mode, schema migrations
 * versioned in store/schema.c); SQLite result codes never leave store/:
 * they become errno values (ENOENT not found, EEXIST constraint, EBUSY busy,
 * EIO anything else).  All strings are copied into the caller's fixed-size
 * structs, so nothing returned points into SQLite.
 *
 * Times are Unix seconds (int64_t) unless a name says _ms.
 */

struct store;

enum {
	STORE_ID_SZ     = 64,
	STORE_NAME_SZ   = 128,
	STORE_NUMBER_SZ = 32,
	STORE_SECRET_SZ = 80,
	STORE_HA1_SZ    = 33,   /* 32 hex digits of MD5(user:realm:pw) + NUL */
	STORE_URI_SZ    = 256,
	STORE_TEXT_SZ   = 256,
	STORE_SPEC_SZ   = 4096,  /* an IVR menu's JSON, with its NUL */
};

struct store_app {
	char sdk_app_id[STORE_ID_SZ];
	char secret_id[STORE_SECRET_SZ];
	char secret_key[STORE_SECRET_SZ];
	char token_key[STORE_SECRET_SZ];   /* signs SDK login tokens */
	int64_t created;
};

/* Extra API credentials of an application, each with a role below the
 * application's own ("supervisor", or "agent" bound to user_id) */
struct store_cred {
	char secret_id[STORE_SECRET_SZ];
	char secret_key[STORE_SECRET_SZ];
	char sdk_app_id[STORE_ID_SZ];
	char role[16];
	char user_id[STORE_ID_SZ];      /* "" unless role is "agent" */
	int64_t created;
};

struct store_staff {
	char user_id[STORE_ID_SZ];
	char name[STORE_NAME_SZ];
	char phone[STORE_NUMBER_SZ];
	char extension[STORE_NUMBER_SZ];   /* "" when none */
	char ha1[STORE_HA1_SZ];            /* "" when no SIP password */
	int64_t created;
};

struct store_group {
	char name[STORE_NAME_SZ];
	char strategy[32];          /* "longest-idle", "round-robin", ... */
	uint32_t ring_timeout_s;
	uint32_t wrapup_s;
	uint32_t max_wait_s;
	bool mask_numbers;          /* agents see 138****5678 and a ref. */
	uint32_t max_queue_len;     /* waiting calls, 0 = no limit */
	char overflow_group[STORE_NAME_SZ];  /* past the limits; "" = end */
	bool last_agent_first;      /* a caller's last agent, if free */
	uint32_t service_level_s;   /* answered within: the service level */
	uint32_t ring_step_s;       /* ring-progressively adds an agent */
	int64_t created;
};

struct store_member {
	char user_id[STORE_ID_SZ];
	char group[STORE_NAME_SZ];
	uint32_t level;             /* skill level, 1..5 */
};

struct store_number {
	char number[STORE_NUMBER_SZ];
	char group[STORE_NAME_SZ];  /* "" when an IVR routes the calls */
	char ivr[STORE_NAME_SZ];    /* IVR menu, "" = straight to group */
	int32_t priority;           /* callers' priority in the queue */
	int64_t created;
};

/* An IVR menu: its JSON spec as text (ivr/ivr.h validates it) */
struct store_ivr {
	char name[STORE_NAME_SZ];
	char spec[STORE_SPEC_SZ];
	int64_t created;
};

/* An agent's status now (statuses are the ACD's names: "free", ...) */
struct store_agent_state {
	char sdk_app_id[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char status[16];
	char reason[64];
	int64_t since_ms;
	char pending[16];           /* reserved for after the call; "" */
	char pending_reason[64];
};

/* One change in the history of agent statuses */
struct store_status_change {
	int64_t id;                 /* set by the store */
	char sdk_app_id[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char from[16];
	char to[16];
	char reason[64];
	char actor[STORE_SECRET_SZ];   /* "system", "agent", a SecretId */
	int64_t at_ms;
};

enum {
	STORE_REST_REASONS_SZ = 512,    /* comma-separated */
};

/* Ephemeral SIP credentials handed out by POST /v1/login */
struct store_sipcred {
	char username[STORE_ID_SZ];
	char sdk_app_id[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char ha1[STORE_HA1_SZ];
	int64_t expires;
};

struct store_reg {
	char sdk_app_id[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char contact[STORE_URI_SZ];    /* where INVITEs for the agent go */
	char transport[8];             /* "udp", "tcp" */
	char source[64];               /* address the REGISTER came from */
	int64_t expires;               /* absolute */
};

enum store_direction {
	STORE_DIR_INBOUND = 0,
	STORE_DIR_OUTBOUND,
};

struct store_cdr {
	char session_id[STORE_ID_SZ];
	char sdk_app_id[STORE_ID_SZ];
	enum store_direction direction;
	char caller[STORE_NUMBER_SZ * 2];
	char callee[STORE_NUMBER_SZ * 2];
	char group[STORE_NAME_SZ];
	char agent[STORE_ID_SZ];        /* user id, "" when none */
	int64_t offered_ms;             /* 0 when the stage was not reached */
	int64_t queued_ms;
	int64_t ringing_ms;
	int64_t answered_ms;
	int64_t ended_ms;
	char end_status[32];            /* docs/ACD.md, "End statuses" */
	char hangup_side[16];           /* "caller", "callee", "agent",
					   "system" */
	uint16_t end_scode;             /* SIP status behind end_status */
	char uui[STORE_TEXT_SZ];
	char remark[STORE_TEXT_SZ];
	uint32_t duration_s;            /* answered to ended */
};

/* One entry of the audit log; detail is a JSON object that never holds a
 * phone number in clear. */
struct store_audit {
	int64_t id;                     /* set by store_audit_add */
	char sdk_app_id[STORE_ID_SZ];
	int64_t at_ms;                  /* 0 on add: now */
	char actor[STORE_SECRET_SZ];    /* the SecretId that asked */
	char action[64];                /* e.g. "personal-data.delete" */
	char detail[STORE_TEXT_SZ * 2];
};

/* What a personal-data deletion did */
struct store_erasure {
	uint32_t cdrs;                  /* CDR rows anonymised */
	uint32_t staff;                 /* staff rows anonymised */
	uint32_t number_refs;           /* number references deleted */
};

enum {
	STORE_REF_SZ = 18,              /* "r" + 16 hex digits + NUL */
	STORE_RETENTION_DAYS_MAX = 3650,
};

typedef void (store_app_h)(const struct store_app *app, void *arg);
typedef void (store_cred_h)(const struct store_cred *c, void *arg);
typedef void (store_staff_h)(const struct store_staff *s, void *arg);
typedef void (store_group_h)(const struct store_group *g, void *arg);
typedef void (store_member_h)(const struct store_member *m, void *arg);
typedef void (store_number_h)(const struct store_number *n, void *arg);
typedef void (store_ivr_h)(const struct store_ivr *m, void *arg);
typedef void (store_reg_h)(const struct store_reg *r, void *arg);
typedef void (store_cdr_h)(const struct store_cdr *c, void *arg);
typedef void (store_audit_h)(const struct store_audit *a, void *arg);
typedef void (store_agent_state_h)(const struct store_agent_state *s,
				   void *arg);
typedef void (store_status_change_h)(const struct store_status_change *c,
				     void *arg);

/* Opening; ":memory:" works for tests. The store is a mem_deref'able
 * libre object. */
int  store_open(struct store **stp, const char *path);
int  store_schema_version(struct store *st, int *versionp);

/* Applications (SdkAppId + API credentials) */
int  store_app_create(struct store *st, struct store_app *app);
int  store_app_get(struct store *st, const char *sdk_app_id,
		   struct store_app *app);
int  store_app_by_secret_id(struct store *st, const char *secret_id,
			    struct store_app *app);
int  store_app_list(struct store *st, store_app_h *h, void *arg);

/* Role credentials; deleting a staff member deletes theirs */
int  store_cred_create(struct store *st, struct store_cred *c);
int  store_cred_by_secret_id(struct store *st, const char *secret_id,
			     struct store_cred *c);
int  store_cred_list(struct store *st, const char *app, store_cred_h *h,
		     void *arg);
int  store_cred_delete(struct store *st, const char *app,
		       const char *secret_id);

/* Staff (agents).  Extensions are unique across the server ("" = none).
 * Deleting a staff member also deletes their memberships, registration,
 * tokens and SIP credentials.  Tokens, SIP credentials and registrations
 * can only be added for existing staff (ENOENT otherwise). */
int  store_staff_add(struct store *st, const char *app,
		     const struct store_staff *s);
int  store_staff_get(struct store *st, const char *app, const char *user_id,
		     struct store_staff *s);
int  store_staff_by_extension(struct store *st, const char *extension,
			      char *app, size_t appsz, struct store_staff *s);
int  store_staff_delete(struct store *st, const char *app,
			const char *user_id);
int  store_staff_list(struct store *st, const char *app, store_staff_h *h,
		      void *arg);
/* Replace name, phone, extension and ha1; ENOENT if unknown */
int  store_staff_update(struct store *st, const char *app,
			const struct store_staff *s);

/* Skill groups and their members */
int  store_group_add(struct store *st, const char *app,
		     const struct store_group *g);
int  store_group_get(struct store *st, const char *app, const char *name,
		     struct store_group *g);
int  store_group_delete(struct store *st, const char *app, const char *name);
int  store_group_list(struct store *st, const char *app, store_group_h *h,
		      void *arg);
/* Replace strategy, the timers and mask_numbers; ENOENT if unknown */
int  store_group_update(struct store *st, const char *app,
			const struct store_group *g);
int  store_member_add(struct store *st, const char *app,
		      const struct store_member *m);
int  store_member_list_by_user(struct store *st, const char *app,
			       const char *user_id, store_member_h *h,
			       void *arg);
/* ENOENT if the user is not in the group */
int  store_member_delete(struct store *st, const char *app,
			 const char *user_id, const char *group);
/* Told after every change that may alter the members of a skill group:
 * a member added or deleted, a group added, updated (its strategy) or
 * deleted (group set), a staff member deleted (group NULL: any group of
 * app).  The ACD keeps its routing index with this.  One handler; NULL
 * removes it. */
typedef void (store_member_change_h)(const char *app, const char *group,
				     void *arg);
void store_member_change_handler_set(struct store *st,
				     store_member_change_h *h, void *arg);
int  store_member_list_by_group(struct store *st, const char *app,
				const char *group, store_member_h *h,
				void *arg);

/* Service numbers.  A number is unique across the server. */
int  store_number_add(struct store *st, const char *app,
		      const struct store_number *n);
int  store_number_get(struct store *st, const char *number, char *app,
		      size_t appsz, struct store_number *n);
int  store_number_delete(struct store *st, const char *app,
			 const char *number);
int  store_number_list(struct store *st, const char *app, store_number_h *h,
		       void *arg);

/* IVR menus (store/ivr.c).  set adds or replaces (keeping created) and
 * tells which through *createdp; delete is EBUSY while a number names
 * the menu; numbers_using counts those numbers. */
int  store_ivr_set(struct store *st, const char *app,
		   const struct store_ivr *m, bool *createdp);
int  store_ivr_get(struct store *st, const char *app, const char *name,
		   struct store_ivr *m);
int  store_ivr_delete(struct store *st, const char *app, const char *name);
int  store_ivr_list(struct store *st, const char *app, store_ivr_h *h,
		    void *arg);
int  store_ivr_numbers_using(struct store *st, const char *app,
			     const char *name, uint32_t *countp);

/* SDK login tokens: single use.  consume returns EALREADY when the nonce
 * was used before and ENOENT when it was never issued.  consume does not
 * look at the clock: the caller checks the signed expiry; store_expire()
 * forgets expired nonces (used ones too), which then read as ENOENT. */
int  store_token_add(struct store *st, const char *app, const char *user_id,
		     const char *nonce, int64_t expires);
int  store_token_consume(struct store *st, const char *nonce);

/* Ephemeral SIP credentials */
int  store_sipcred_add(struct store *st, const struct store_sipcred *c);
int  store_sipcred_get(struct store *st, const char *username,
		       struct store_sipcred *c);

/* Registrations: one contact per (app, user); set replaces. */
int  store_reg_set(struct store *st, const struct store_reg *r);
int  store_reg_delete(struct store *st, const char *app,
		      const char *user_id);
int  store_reg_list(struct store *st, store_reg_h *h, void *arg);

/* Call detail records */
int  store_cdr_add(struct store *st, const struct store_cdr *c);
int  store_cdr_list_agent(struct store *st, const char *app,
			  const char *agent, uint32_t limit, store_cdr_h *h,
			  void *arg);
int  store_cdr_list(struct store *st, const char *app, uint32_t limit,
		    store_cdr_h *h, void *arg);

/* The agent who last answered this caller in this application, for
 * "last agent first"; ENOENT when none */
int  store_cdr_last_agent(struct store *st, const char *app,
			  const char *caller, char *agent, size_t sz);

/* Agent statuses (store/agent.c).  A change is stored with the new state
 * in one transaction.  status_log_list gives the changes of one user (or
 * all, user_id NULL) with from_ms <= at_ms < to_ms, oldest first.
 * status_time adds up the time spent in each status (one of names[],
 * namec of them) between from_ms and to_ms, in ms, into msv[]. */
int  store_agent_state_set(struct store *st,
			   const struct store_agent_state *s,
			   const struct store_status_change *c);
int  store_agent_state_list(struct store *st, store_agent_state_h *h,
			    void *arg);
int  store_status_log_list(struct store *st, const char *app,
			   const char *user_id, int64_t from_ms,
			   int64_t to_ms, uint32_t limit,
			   store_status_change_h *h, void *arg);
int  store_status_time(struct store *st, const char *app,
		       const char *user_id, int64_t from_ms, int64_t to_ms,
		       const char *const *names, size_t namec,
		       uint64_t *msv);
/* Rest reasons of an application, comma-separated ("break,lunch") */
int  store_rest_reasons_get(struct store *st, const char *app, char *buf,
			    size_t sz);
int  store_rest_reasons_set(struct store *st, const char *app,
			    const char *csv);

/* Queue and agent figures from the CDRs (store/metrics.c), for calls
 * offered (queues) or started (agents) in [from_ms, to_ms).  Only calls
 * that ended have a CDR, so calls in progress are not counted. */
struct store_queue_stats {
	uint32_t offered;           /* inbound calls to the group */
	uint32_t answered;          /* reached an agent (answered_ms set) */
	uint32_t abandoned;         /* "abandoned" and "ring-abandoned" */
	uint32_t abandoned_short;   /* of those, within short_ms of queueing */
	uint32_t answered_in_sl;    /* answered within the service level */
	uint32_t timeouts;          /* "timeout": max wait, no overflow */
	uint32_t queue_full;        /* "queue-full": refused at the limit */
	uint64_t wait_answered_ms;  /* sum of answered_ms - queued_ms */
	uint64_t talk_ms;           /* sum of ended_ms - answered_ms */
};

struct store_agent_stats {
	char user_id[STORE_ID_SZ];
	uint32_t calls;             /* answered calls, both directions */
	uint32_t inbound;
	uint32_t outbound;
	uint64_t talk_ms;
};

typedef void (store_agent_stats_h)(const struct store_agent_stats *s,
				   void *arg);

int  store_queue_stats(struct store *st, const char *app, const char *group,
		       int64_t from_ms, int64_t to_ms, uint32_t sl_ms,
		       uint32_t short_ms, struct store_queue_stats *qs);
int  store_agent_stats_list(struct store *st, const char *app,
			    int64_t from_ms, int64_t to_ms,
			    store_agent_stats_h *h, void *arg);

/* Housekeeping: delete expired tokens, credentials, registrations and
 * number references */
int  store_expire(struct store *st, int64_t now);

/* Personal information (store/privacy.c).  CDR retention is per
 * application, in days, 0 = keep forever; store_cdr_expire deletes the
 * CDRs that ended before now_ms minus the retention of their application
 * (app NULL: of every application). */
int  store_retention_set(struct store *st, const char *app, uint32_t days);
int  store_retention_get(struct store *st, const char *app,
			 uint32_t *daysp);
int  store_cdr_expire(struct store *st, const char *app, int64_t now_ms,
		      uint32_t *deletedp);
int  store_audit_add(struct store *st, struct store_audit *a);
int  store_audit_list(struct store *st, const char *app, uint32_t limit,
		      store_audit_h *h, void *arg);
/* Number references: an opaque "r" + 16 hex digits standing for a number
 * towards agents; get is ENOENT when unknown, of another app or expired */
int  store_numref_add(struct store *st, const char *app, const char *number,
		      int64_t expires, char *ref, size_t refsz);
int  store_numref_get(struct store *st, const char *app, const char *ref,
		      int64_t now, char *number, size_t sz);
/* Erasure: CDR numbers or agent become "deleted", staff name and phone
 * are cleared, number references deleted; one transaction each. */
int  store_erase_phone(struct store *st, const char *app, const char *phone,
		       struct store_erasure *res);
int  store_erase_user(struct store *st, const char *app, const char *user_id,
		      struct store_erasure *res);
