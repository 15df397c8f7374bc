/**
 * @file sip/sipint.h  SIP front end internals
 *
 * Copyright (C) 2026 The lianluo authors
 */

enum {
	SIP_NUMREF_TTL_S = 7 * 86400,   /* an agent can call back a week */
};

struct sipfront {
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct sipsess_sock *sock;
	struct store *st;             /**< (ref.) */
	struct acd *acd;              /**< (ref.) */
	const struct config *cfg;
	struct waiting_media *wmedia; /**< what queued callers hear */
	struct list calls;            /**< struct b2bua_call */
	struct list ivr_prompts;      /**< IVR prompts loaded (sip/ivr.c) */
	struct sa laddr;
	char uri[64];                 /**< "sip:127.0.0.1:5060" */
	char tls_uri[80];             /**< "sip:...;transport=tls" or "" */
	char flow_contact[STORE_URI_SZ];  /**< see contact_to_flow() */
	struct tls *tls;              /**< SIP over TLS, or NULL */
	uint8_t nonce_key[32];        /**< signs digest nonces */
	struct list notes;            /**< status MESSAGEs in flight */
	struct status_note *st_capture;  /**< see agentstatus_handle() */
	const char *st_capture_app;
	const char *st_capture_user;
	struct ratelimit *rl_addr;    /**< failed digests per address */
	struct ratelimit *rl_user;    /**< failed digests per username */
	struct ratelimit *rl_req;     /**< requests per address (bucket) */
	struct replay *replay;        /**< digest nonce-counts in use */
	struct sa trunk_addr;         /**< the trunk's, if an IP literal */
	bool closing;
};

enum {
	SIP_RL_KEYS   = 4096,         /* keys of each rate-limit table */
	SIP_MSG_MAX   = 32768,        /* bytes of one request */
	SIP_HDR_MAX   = 100,          /* header fields of one request */
	SIP_NONCE_MAX = 8192,         /* digest nonces whose counts are
					 tracked (see sip/auth.c) */
	SIP_BUSY_RETRY_S = 5,         /* Retry-After of a call refused for
					 too many calls */
};

/* Who a request was authenticated as. */
struct sip_identity {
	char app[STORE_ID_SZ];
	char user_id[STORE_ID_SZ];
	char username[STORE_ID_SZ];
	uint32_t retry_s;             /* when refused (EAGAIN): Retry-After */
};

int  sipauth_init(struct sipfront *sf);
int  sipauth_check(struct sipfront *sf, const struct sip_msg *msg,
		   bool proxy, struct sip_identity *id);
int  sipauth_challenge(struct sipfront *sf, const struct sip_msg *msg,
		       bool proxy, bool stale);
int  sipauth_agent(struct sipfront *sf, const struct sip_msg *msg,
		   struct sip_identity *id);
int  sipauth_refuse(struct sipfront *sf, const struct sip_msg *msg,
		    bool trans, uint32_t retry_s);
bool sipfront_request_handler(const struct sip_msg *msg, void *arg);
int  sipfront_flow_uri(char *buf, size_t sz, const struct pl *user,
		       const struct sip_msg *msg);
void registrar_handle(struct sipfront *sf, const struct sip_msg *msg);
void b2bua_conn_handler(const struct sip_msg *msg, void *arg);
void b2bua_close_all(struct sipfront *sf);
void agentstatus_init(struct sipfront *sf);
void agentstatus_handle(struct sipfront *sf, const struct sip_msg *msg);
void agentstatus_close(struct sipfront *sf);

/* sip/ivr.c: a number's IVR menu on an answered inbound call */
struct sip_ivr;
struct relay;
struct media_codec;

enum sip_ivr_result {
	SIP_IVR_QUEUE = 0,     /* queue to group with priority */
	SIP_IVR_HANGUP,        /* the menu ended the call */
};

typedef void (sip_ivr_done_h)(enum sip_ivr_result result, const char *group,
			      int32_t priority, void *arg);

int  sip_ivr_start(struct sip_ivr **ivrp, struct sipfront *sf,
		   const char *app, const char *call_id, const char *menu,
		   const char *group, int32_t priority, struct relay *relay,
		   const struct media_codec *codec, sip_ivr_done_h *doneh,
		   void *arg);

struct waiting;
struct waiting_media;
struct acd_call;
int  waiting_media_load(struct waiting_media **wmp, const struct config *cfg);
int  waiting_alloc(struct waiting **wp, const struct waiting_media *wm,
		   struct relay *r, const struct media_codec *codec,
		   struct acd_call *acall);
