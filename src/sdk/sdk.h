/**
 * @file sdk/sdk.h  liblianluo internals shared by the SDK's files
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN
 *
 * Threads.  The shared instance owns one thread (the SDK thread) that runs
 * its own libre loop (re_thread_init), so an application that uses libre
 * itself keeps its loop.  Every libre object of the SDK is created, used
 * and freed on that thread only (libre's reference counts are not atomic).
 * A public call from another thread becomes a struct ll__cmd on the stack
 * of the caller, appended to sdk->cmdq under sdk->lock; mqueue_push() only
 * wakes the loop up (it may fail with EAGAIN when its pipe is full, which
 * is harmless: the loop is awake then and drains the whole list).  The
 * caller waits on sdk->cond until the command has run, so its return code
 * is the real one.  On the SDK thread a public call runs directly.
 *
 * Callbacks.  Application callbacks never run inside a libre handler: an
 * event is queued (struct ll__ev) and dispatched from a zero timer, at the
 * top of the loop.  So a callback may call any public function, including
 * ones that free the SIP objects that caused the event.
 *
 * Login workers.  POST /v1/login is a blocking request (common/httpc), run
 * on a short-lived thread; its result comes back as an asynchronous
 * command embedded in the job (posting cannot fail), and the worker is
 * joined on the SDK thread.
 *
 * Error codes.  Internal helpers return errno values; the commands behind
 * public functions return the public codes (enum ll_error, SIP codes).
 */

struct ll_sdk;
struct ll__call;
struct ll__acct;
struct ll__job;
struct tlsc_verify;

/* Internal: plain HTTP, SIP or RTP where the app did not allow it
 * (ll_allow_insecure); ll__code() makes it LL_ERR_INSECURE. */
#define LL__EINSECURE EPROTONOSUPPORT

typedef int (ll__cmd_h)(struct ll_sdk *sdk, void *arg);

/** A public call waiting for a result that comes later (instance.c). */
struct ll__wait {
	bool done;
	int ret;
};

/** A unit of work for the SDK thread. */
struct ll__cmd {
	struct le le;
	ll__cmd_h *h;
	void *arg;
	int ret;
	bool done;
	bool async;         /* nobody waits; h owns arg and the command */
};

/** Kinds of queued events (see ev.c). */
enum ll__ev_type {
	LL__EV_ERROR = 0,
	LL__EV_WARNING,
	LL__EV_NEW_SESSION,
	LL__EV_ACCEPTED,
	LL__EV_ENDED,
	LL__EV_DTMF,
	LL__EV_VOLUME,
	LL__EV_QUALITY,
	LL__EV_CONN_LOST,
	LL__EV_RECONNECT,
	LL__EV_RECOVERY,
	LL__EV_LOGIN,       /* a login's result handler */
	LL__EV_RESULT,      /* a logout's or call's result handler */
	LL__EV_STATUS,      /* the agent's status (agent_status.c) */
};

/** One queued event; strings are copies. */
struct ll__ev {
	struct le le;
	enum ll__ev_type type;
	int err;
	int quality;
	char digit;
	enum ll_end_reason reason;
	enum ll_direction dir;
	char sid[48];
	char msg[256];               /* a certificate error fits */
	char from[128];
	char to[128];
	char aor[256];
	char *hdrs;                  /* JSON object, mem-allocated */
	struct ll_statistics st;     /* string fields set at dispatch */
	char codec[16];
	struct ll_audio_volume vol;
	ll_login_h *loginh;
	ll_result_h *resh;
	void *arg;
	struct ll_agent_status_info status;
};

/**
 * A login: the SIP stack, the registration and the credentials.  Lives
 * from ll_login_*() until logout, a failed login or the instance's end.
 */
struct ll__acct {
	struct ll_sdk *sdk;
	bool agent_mode;
	char user_id[64];
	char aor[256];               /* To of REGISTER */
	char reg_uri[256];           /* Request-URI of REGISTER */
	char host[128];              /* host[:port] of the server */
	const char *tp_param;        /* ";transport=tls" or "" */
	bool tls;                    /* SIP over TLS, calls with SRTP */
	struct tls *tls_ctx;
	struct tlsc_verify *tlsv;    /* how it verifies the server (mem) */
	char auth_user[128];
	char *auth_pass;             /* mem; wiped in the destructor */
	struct sa laddr;             /* our address towards the server */
	struct sa srv;               /* the server's, when an IP literal */
	struct sip *sip;
	struct sipsess_sock *sock;
	bool logged_in;              /* the first REGISTER succeeded */
	ll_login_h *loginh;          /* pending until the login completes */
	void *login_arg;
	char diag[256];              /* login result's detail; "" for the
					code's text */

	/* The agent-mode HTTP worker (login.c). */
	struct ll__job *job;

	/* Registration and reconnection (reconnect.c). */
	struct sip_dialog *dlg;      /* Call-ID, tags and CSeq of REGISTER */
	struct sip_auth *auth;
	struct sip_request *req;     /* the REGISTER in progress */
	struct tmr reg_tmr;          /* refresh */
	struct tmr retry_tmr;        /* next attempt after a failure */
	struct tmr ka_tmr;           /* next keepalive (OPTIONS) */
	struct tmr req_tmr;          /* the request in progress gives up */
	struct sip_request *ka_req;  /* the OPTIONS in progress */
	struct tmr move_tmr;         /* the host's address changed */
	uint32_t authc;              /* challenges answered in a row */
	uint32_t backoff_s;
	int fail_code;               /* of the first REGISTER */
	bool registered;
	bool lost;

	/* Agent status (agent_status.c). */
	struct sip_lsnr *st_lsnr;    /* the server's status MESSAGEs */
	struct sip_dialog *st_dlg;   /* Call-ID and CSeq of ours */
	struct list st_reqs;         /* struct ll__streq in flight */
	struct ll_agent_status_info st_info;
};

/** The call (call.c); one at a time. */
struct ll__call {
	struct ll_sdk *sdk;
	struct sipsess *sess;
	struct ll__stream *strm;
	struct mbuf *desc;           /* our SDP */
	struct media_sdp offer;      /* the peer's (inbound) */
	struct media_codec codec;    /* what we send and receive */
	struct media_crypto key;     /* our SRTP key, if srtp */
	bool srtp;                   /* RTP/SAVP (the login is over TLS) */
	char sid[48];
	bool inbound;
	bool answered;               /* we sent 200 (inbound) */
	bool established;            /* ACK sent or received */
	bool media;                  /* the stream was started */
	bool muted;
	ll_result_h *resh;           /* ll_call()'s, until answered */
	void *arg;
};

/** The shared instance. */
struct ll_sdk {
	/* Touched by other threads, under lock (instance.c). */
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct list cmdq;            /* struct ll__cmd, FIFO */
	bool started;                /* the thread reported its start */
	int start_err;
	bool stopped;                /* the thread left its loop */

	/* Guarded by the instance registry's lock (instance.c). */
	unsigned users;              /* public calls in flight */
	bool closing;

	/* The SDK thread's own state. */
	struct mqueue *mq;
	struct ll_listener lsnr;
	struct list evq;             /* struct ll__ev, dispatched in order */
	struct tmr ev_tmr;
	bool stopping;               /* no new events */

	struct ll__acct *acct;       /* NULL when logged out (login.c) */
	struct list retired;         /* SIP stacks shutting down */
	struct tmr retire_tmr;
	struct tmr stop_tmr;
	uint64_t stop_deadline;

	/* How an https:// server is verified (login.c): a pin, else a CA
	 * file, else the system store (both ""). */
	char cert_sha256[65];
	char ca_file[256];
	bool insecure;               /* plain HTTP, SIP, RTP allowed */

	struct ll__call *call;       /* one call at a time (call.c) */
	struct ll__audio_cfg audio;  /* applied to the next stream */
	uint32_t vol_interval_ms;
};

/* consent.c */
int  ll__gate(const struct ll_sdk *sdk);
bool ll__consented(void);

/* instance.c */
int  ll__run(struct ll_sdk *sdk, ll__cmd_h *h, void *arg);
void ll__post(struct ll_sdk *sdk, struct ll__cmd *cmd, ll__cmd_h *h,
	      void *arg);
bool ll__on_thread(const struct ll_sdk *sdk);
int  ll__run_wait(struct ll_sdk *sdk, ll__cmd_h *h, void *arg,
		  struct ll__wait *w);
void ll__wait_done(struct ll_sdk *sdk, struct ll__wait *w, int ret);
void ll__instances_end(void);

/* errors.c */
int  ll__code(int err);

/* ev.c */
struct ll__ev *ll__ev_new(struct ll_sdk *sdk, enum ll__ev_type type);
void ll__ev_flush(struct ll_sdk *sdk);

/* login.c */
void ll__acct_end(struct ll_sdk *sdk, int login_err);
void ll__retire_flush(struct ll_sdk *sdk, bool force);
int  ll__acct_auth_handler(char **username, char **password,
			   const char *realm, void *arg);
int  ll__source_addr(struct sa *laddr, const struct sa *dst);
int  ll__acct_rebind(struct ll__acct *acct, const struct sa *laddr);

/* reconnect.c */
int  ll__acct_register(struct ll__acct *acct);
void ll__reconnect_stop(struct ll__acct *acct);

/* call.c */
void ll__call_conn_handler(const struct sip_msg *msg, void *arg);
void ll__call_end_all(struct ll_sdk *sdk);
void ll__call_move(struct ll_sdk *sdk);

/* agent_status.c */
int  ll__status_start(struct ll__acct *acct);
void ll__status_login(struct ll__acct *acct);
void ll__status_end(struct ll__acct *acct);

/* log.c */
void ll__log_reset(void);
void ll__log_wipe(void);

/* Validation shared by the public functions (login.c) */
bool ll__str_ok(const char *s, size_t max);
