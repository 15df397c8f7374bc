/**
 * @file api/apiint.h  Private interface of the HTTP API
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Only api/ includes this, after <re.h>, common/log.h, config.h,
 * store/store.h and api/api.h.
 */

enum {
	API_HDR_MAX       = 16384,  /* request line + headers */
	API_LINE_MAX      = 8192,   /* request line (see api/server.c) */
	API_CONN_MAX      = 256,    /* open connections */
	API_IDLE_MS       = 30000,  /* a request must be complete by then */
	API_DRAIN_MS      = 5000,   /* reading the rest of a refused body */
	API_JSON_DEPTH    = 8,
	API_PARAM_SZ      = 128,
	API_LIST_MAX      = 32,     /* skill groups of one staff member */
	API_CDR_LIMIT     = 100,
	API_CDR_LIMIT_MAX = 1000,
	API_AUDIT_LIMIT   = 100,
	API_AUDIT_LIMIT_MAX = 1000,
	API_HISTORY_LIMIT = 100,
	API_HISTORY_LIMIT_MAX = 1000,
	API_TOKEN_SZ      = 80,
	API_REASONS_MAX   = 32,     /* rest reasons of an application */
	API_REASON_SZ     = 64,     /* one rest reason, NUL included */
	API_PRIORITY_MAX  = 100,    /* a number's caller priority */
	API_HDR_COUNT_MAX = 64,     /* header fields of a request */
	API_RL_KEYS       = 4096,   /* addresses, SecretIds kept by the
				       failure limits */
};

struct api {
	struct tcp_sock *ts;
	struct list connl;          /* struct api_conn */
	const struct config *cfg;   /* (ref. by pointer, outlives api) */
	struct store *st;           /* (ref. by pointer, outlives api) */
	char sip_uri[256];
	char sip_hostport[256];     /* host:port of sip_uri, for AORs */
	struct acd *acd;            /* (ref. by pointer, outlives api) */
	char metrics_token[API_TOKEN_SZ];   /* "" until set */
	uint64_t start_ms;          /* Unix ms of api_alloc, for uptime */
	struct sa laddr;            /* bound address */
	struct tcp_sock *tls_ts;    /* HTTPS listener, or NULL */
	struct tls *tls;            /* its certificate and key */
	struct sa tls_laddr;
	struct ratelimit *rl_addr;  /* failed auth per source address */
	struct ratelimit *rl_key;   /* failed signatures per SecretId */
};

/* Who may call a route, lowest first: a credential of a role may call
 * the routes of its role and of the roles below it.  An agent's
 * credentials are bound to one user id, and on a route with a "{}" that
 * segment must be it (api_authorize). */
enum api_role {
	API_PUBLIC = 0,             /* unsigned */
	API_AGENT,
	API_SUPERVISOR,
	API_ADMIN,                  /* the application's own credentials */
};

/* One request being handled, and its reply. */
struct api_req {
	struct api *api;
	const struct http_msg *msg;
	struct pl target;           /* path with query, as received */
	struct pl query;            /* after '?', may be empty */
	const uint8_t *body;
	size_t body_len;
	char param[API_PARAM_SZ];   /* the {} path segment, decoded */
	struct store_app app;       /* the signing application; its
				       secret_id is that of the signer */
	enum api_role role;         /* of the signer */
	char user_id[STORE_ID_SZ];  /* an agent signer's own user id */
	uint16_t scode;             /* 0 until a reply is set */
	const char *ctype;          /* reply Content-Type; NULL: JSON */
	uint32_t retry_after_s;     /* Retry-After of a 429; 0: none */
	struct mbuf *mb;            /* reply body */
};

typedef void (api_route_h)(struct api_req *req);

struct api_route {
	const char *method;
	const char *path;           /* a trailing "{}" matches one segment */
	enum api_role role;         /* the lowest role allowed */
	api_route_h *h;
};

/* routes.c */
int api_route_find(const struct api_route **routep, struct api_req *req,
		   const struct pl *method, const struct pl *path);

/* ivr.c: /v1/ivr-menus, with its own routes */
extern const struct api_route api_ivr_routev[];
extern const size_t api_ivr_routec;
void api_ivr_put(struct api_req *req);
void api_ivr_get(struct api_req *req);
void api_ivr_list(struct api_req *req);
void api_ivr_delete(struct api_req *req);
int  api_ivr_exists(struct api_req *req, const char *name);

/* auth.c */
int api_auth(struct api_req *req);
int api_authorize(struct api_req *req, const struct api_route *route);
const char *api_role_name(enum api_role role);
int  api_b64url_print(struct re_printf *pf, const uint8_t *p, size_t n);

/* reply.c */
void api_error_limited(struct api_req *req, uint32_t ms, const char *what);
void api_reply(struct api_req *req, uint16_t scode, const char *fmt, ...);
void api_error(struct api_req *req, uint16_t scode, const char *code,
	       const char *fmt, ...);
void api_error_store(struct api_req *req, int err, const char *what,
		     const char *id);
const char *api_reason(uint16_t scode);

/* body.c */
int  api_body_decode(struct api_req *req, struct odict **odp);
int  api_get_str(struct api_req *req, const struct odict *od,
		 const char *key, bool required, char *buf, size_t sz,
		 bool (*validh)(const char *s));
int  api_get_u32(struct api_req *req, const struct odict *od,
		 const char *key, uint32_t *valp, uint32_t min, uint32_t max);
int  api_hexval(char c);
int  api_get_bool(struct api_req *req, const struct odict *od,
		  const char *key, bool *valp);
int  api_query_str(const struct pl *query, const char *name, char *buf,
		   size_t sz);
int  api_query_u32(const struct pl *query, const char *name, uint32_t *valp,
		   uint32_t min, uint32_t max);
int  api_query_u64(const struct pl *query, const char *name, uint64_t *valp,
		   uint64_t max);
bool api_valid_id(const char *s);
bool api_valid_name(const char *s);
bool api_valid_text(const char *s);
bool api_valid_number(const char *s);
bool api_valid_extension(const char *s);
bool api_valid_password(const char *s);
bool api_valid_reason(const char *s);
int  api_ha1(char ha1[STORE_HA1_SZ], const char *user, const char *realm,
	     const char *password);

/* metrics.c: the time windows of the metrics */
enum {
	API_SHORT_ABANDON_MS = 5000,   /* abandons this quick are not
					  counted against the service level */
	API_WINDOWS_MAX = 2,
};

struct api_window {
	const char *name;           /* "15m", "1h", "today" */
	int64_t from_ms;            /* Unix ms, included */
	int64_t to_ms;              /* excluded */
};

int64_t api_now_ms(void);
bool api_window_set(struct api_window *w, const char *name, int64_t now);

/* privacy.c: one entry of the audit log, the signer as actor */
int  api_audit_write(struct api_req *req, const char *action,
		     const char *detail, struct store_audit *a);

/* agents.c: rest reasons in the settings */
int  api_rest_reasons_decode(struct api_req *req, const struct odict *od,
			     char *csv, size_t sz);
int  api_rest_reasons_print(struct re_printf *pf, const char *csv);

/* Handlers */
void api_healthz(struct api_req *req);
void api_status(struct api_req *req);
void api_staff_create(struct api_req *req);
void api_staff_list(struct api_req *req);
void api_staff_delete(struct api_req *req);
void api_group_create(struct api_req *req);
void api_group_list(struct api_req *req);
void api_group_delete(struct api_req *req);
void api_group_update(struct api_req *req);
void api_agent_list(struct api_req *req);
void api_agent_get(struct api_req *req);
void api_agent_status_put(struct api_req *req);
void api_agent_history(struct api_req *req);
void api_metrics_queues(struct api_req *req);
void api_metrics_agents(struct api_req *req);
void api_metrics_prom(struct api_req *req);
void api_number_create(struct api_req *req);
void api_number_list(struct api_req *req);
void api_number_delete(struct api_req *req);
void api_token_create(struct api_req *req);
void api_login(struct api_req *req);
void api_cdr_list(struct api_req *req);
void api_personal_data_delete(struct api_req *req);
void api_audit_list(struct api_req *req);
void api_settings_get(struct api_req *req);
void api_settings_put(struct api_req *req);
void api_cred_create(struct api_req *req);
void api_cred_list(struct api_req *req);
void api_cred_delete(struct api_req *req);
