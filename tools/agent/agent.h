/**
 * @file agent/agent.h  lianluo-agent: what its files share
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN
 *
 * lianluo-agent is built on liblianluo's public header alone, as any app
 * would be.  The SDK calls the listener on its own thread; the callbacks
 * (events.c) only copy what they got into an event queue guarded by a
 * mutex and a condition variable, and all decisions are taken on the main
 * thread, which waits on that queue (bot.c) or polls it together with the
 * terminal (interactive.c, through the queue's wake-up pipe).
 *
 * Signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are blocked in every thread
 * before the SDK starts its own, and one thread of ours takes them with
 * sigwait() and turns them into queue events: the main thread then hangs
 * up, logs out and exits.  A second signal exits at once (main.c).
 */

enum {
	AGENT_EXIT_OK    = 0,
	AGENT_EXIT_FAIL  = 1,
	AGENT_EXIT_USAGE = 2,

	AGENT_LOGIN_TIMEOUT_MS  = 20000,
	AGENT_LOGOUT_TIMEOUT_MS = 5000,
	AGENT_HANGUP_TIMEOUT_MS = 5000,
};

/* ---- args.c ----------------------------------------------------------- */

enum {
	AGENT_STATUS_MAX = 8,        /**< --status given at most this often */
};

/** A status to ask for (status.c) */
struct agent_status {
	enum ll_agent_status status;
	char reason[64];
};

struct agent_args {
	const char *server;          /**< lianluod's API URL              */
	const char *cert_sha256;     /**< pin of an https:// server       */
	const char *ca_file;         /**< or the CAs that verify it       */
	const char *app;             /**< SdkAppId                        */
	const char *user;            /**< UserId                          */
	const char *token;           /**< single-use login token          */
	const char *sip_uri;         /**< SIP mode: the account's URI     */
	const char *password;        /**< SIP mode: its password          */
	bool consent;                /**< --consent granted               */
	bool auto_answer;
	const char *call;            /**< number or URI to call           */
	const char *remark;
	const char *uui;
	const char *play;            /**< WAV the other side hears        */
	const char *record;          /**< WAV of what the agent hears     */
	int64_t hangup_after_ms;     /**< -1: never                       */
	unsigned calls;              /**< 0: no limit                     */
	bool calls_set;
	const char *dtmf;            /**< digits to send once answered    */
	int64_t mute_after_ms;       /**< -1: never                       */
	int64_t unmute_after_ms;     /**< -1: never                       */
	int64_t timeout_ms;          /**< -1: wait for calls for ever     */
	int log_level;               /**< enum ll_log_level, -1: default  */
	/* Personal information (privacy.c) */
	bool disclosure;             /**< --privacy-disclosure            */
	const char *lang;            /**< --lang en|zh                    */
	bool json;                   /**< --json                          */
	bool insecure;               /**< --insecure                      */
	const char *log_dir;         /**< --log-dir DIR                   */
	const char *privacy_on;      /**< --privacy-on ITEM[,ITEM...]     */
	const char *privacy_off;     /**< --privacy-off ITEM[,ITEM...]    */
	int64_t background_for_ms;   /**< -1: stay in the foreground      */
	int64_t withdraw_after_ms;   /**< -1: never withdraw consent      */
	/* Agent status (status.c) */
	struct agent_status status[AGENT_STATUS_MAX];   /**< --status    */
	unsigned statusc;
};

int  args_parse(struct agent_args *a, int argc, char *argv[]);
void args_usage(FILE *f);
bool args_bot_mode(const struct agent_args *a);

/* ---- events.c --------------------------------------------------------- */

enum agent_ev_type {
	AEV_LOGIN = 0,       /**< login result: err, aor, msg          */
	AEV_LOGOUT,          /**< logout result: err                    */
	AEV_CALL_RESULT,     /**< ll_call() result: err, msg            */
	AEV_NEW_SESSION,     /**< sid, dir, from, to, aor               */
	AEV_ACCEPTED,        /**< sid                                   */
	AEV_ENDED,           /**< sid, reason, err (SIP code), msg      */
	AEV_DTMF,            /**< sid, digit                            */
	AEV_ERROR,           /**< err, msg                              */
	AEV_WARNING,         /**< err, msg                              */
	AEV_QUALITY,         /**< sid, err (the grade)                  */
	AEV_CONN_LOST,
	AEV_RECONNECT,
	AEV_RECOVERY,
	AEV_SIGNAL,          /**< err (the signal number)               */
	AEV_STATUS,          /**< st: the status the server told        */
	AEV_STATUS_NEXT,     /**< SIGUSR1: the bot's next --status      */
};

struct agent_ev {
	struct agent_ev *next;
	enum agent_ev_type type;
	int err;
	enum ll_end_reason reason;
	enum ll_direction dir;
	char digit;
	char sid[64];
	char from[64];
	char to[64];
	char aor[256];
	char msg[256];
	struct ll_agent_status_info st;
};

int  evq_init(void);
void evq_close(void);
void evq_push(const struct agent_ev *ev);
bool evq_pop(struct agent_ev *ev, int64_t deadline_ms);
int  evq_wake_fd(void);
void evq_drain_wake(void);
void evq_listener(struct ll_listener *l);
ll_login_h  evq_login_handler;
ll_result_h evq_logout_handler;
ll_result_h evq_call_handler;
int64_t now_ms(void);

/* ---- output.c --------------------------------------------------------- */

void out_init(void);
void out_mask(char *dst, size_t sz, const char *src);
void out_event(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void out_print_ev(const struct agent_ev *ev);
void out_fail(const char *what, int err);
void out_errorf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void out_set_redraw(void (*redrawh)(void));

/* ---- common steps (main.c) --------------------------------------------- */

int  agent_login(struct ll_sdk *sdk, const struct agent_args *a,
		 int64_t timeout_ms, struct agent_ev *result);
void agent_logout(struct ll_sdk *sdk, int64_t timeout_ms);
void agent_hangup(struct ll_sdk *sdk, int64_t timeout_ms);
void agent_fatal_signal_exit(void (*restoreh)(void));

/* ---- bot.c, interactive.c ---------------------------------------------- */

int bot_run(struct ll_sdk *sdk, const struct agent_args *a);

/* ---- status.c --------------------------------------------------------- */

int  status_parse(struct agent_status *r, const char *s);
int  status_apply(struct ll_sdk *sdk, const struct agent_status *r,
		  bool after_call);
int  status_extend(struct ll_sdk *sdk, uint32_t seconds);
void status_print(const struct ll_agent_status_info *info);

/* ---- privacy.c --------------------------------------------------------- */

int  privacy_print_disclosure(const struct agent_args *a);
int  privacy_setup(struct ll_sdk *sdk, const struct agent_args *a);
void privacy_background(struct ll_sdk *sdk, const struct agent_args *a);
bool privacy_withdraw(struct ll_sdk *sdk, const struct agent_args *a);
int interactive_run(struct ll_sdk *sdk, const struct agent_args *a);
