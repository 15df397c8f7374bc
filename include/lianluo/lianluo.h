/**
 * @file lianluo/lianluo.h  liblianluo: the agent workstation SDK
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * This header is the whole contract between liblianluo and an application:
 * anything not declared here is private and may change.  It includes only
 * <stddef.h>, <stdint.h> and <stdbool.h>.
 *
 * Overview
 * --------
 *   ll_privacy_consent(1);                 the end user agreed first
 *   sdk = ll_shared_instance();            NULL until consent
 *   ll_set_listener(sdk, &listener);       events (see struct ll_listener)
 *   ll_login_agent(sdk, url, app, user, token, login_done, arg);
 *   ... on_new_session -> ll_answer(sdk) / ll_call(sdk, "138...", ...)
 *   ll_logout(sdk); ll_destroy_shared_instance();
 *
 * Threads
 * -------
 * The SDK runs its own event loop on a thread it starts when the shared
 * instance is created.  Every public function may be called from any
 * thread, including from inside a listener callback; a call made from
 * another thread waits until the SDK thread has carried it out, so its
 * return code is the real outcome (for an operation that completes later,
 * such as login, the return code says whether it was started, and the
 * result comes through its callback).  All callbacks run on the SDK
 * thread, one at a time; they must not block.
 *
 * Errors
 * ------
 * Every function that can fail returns an int: 0 (LL_OK) on success, a
 * negative LL_ERR_* code for an SDK error, or a SIP status code (300..699)
 * passed through from the server, as TCCC's SDK does.  ll_strerror() gives
 * a short English text for any of them.  A function that fails has had no
 * effect, and a callback given to it is never called.
 *
 * Strings passed in are copied; strings passed to callbacks are valid only
 * during the callback.
 */
#ifndef LIANLUO_H
#define LIANLUO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LL_VERSION_MAJOR 0
#define LL_VERSION_MINOR 1
#define LL_VERSION_PATCH 0
#define LL_VERSION_NUM   0x000100   /* 0xXXYYZZ: major, minor, patch */
#define LL_VERSION_STR   "0.1.0"

#if defined(__GNUC__)
#define LL_API __attribute__((visibility("default")))
#else
#define LL_API
#endif


/* ---- Errors ---------------------------------------------------------- */

/**
 * SDK error codes.  Append only: a code, once shipped, keeps its value.
 * SIP status codes (300..699) are returned as they are and are not listed.
 */
enum ll_error {
	LL_OK                    =  0,
	LL_ERR_CONSENT_REQUIRED  = -1,  /**< ll_privacy_consent(1) first   */
	LL_ERR_INVALID_ARGUMENT  = -2,  /**< NULL, empty or out of range   */
	LL_ERR_NO_MEMORY         = -3,
	LL_ERR_NOT_LOGGED_IN     = -4,  /**< needs a successful login      */
	LL_ERR_ALREADY_LOGGED_IN = -5,  /**< log out first                 */
	LL_ERR_NO_CALL           = -6,  /**< no call to act on             */
	LL_ERR_BUSY              = -7,  /**< a call is already in progress */
	LL_ERR_WRONG_STATE       = -8,  /**< e.g. answer an outgoing call  */
	LL_ERR_BAD_URI           = -9,  /**< not a number or SIP URI       */
	LL_ERR_BAD_DTMF          = -10, /**< not one of 0-9 * # A-D        */
	LL_ERR_NETWORK           = -11, /**< server unreachable            */
	LL_ERR_TIMEOUT           = -12, /**< no answer in time             */
	LL_ERR_AUTH_FAILED       = -13, /**< token or password refused     */
	LL_ERR_TOKEN_EXPIRED     = -14,
	LL_ERR_TOKEN_USED        = -15, /**< login tokens are single use   */
	LL_ERR_SERVER            = -16, /**< the server answered an error  */
	LL_ERR_AUDIO_DEVICE      = -17, /**< cannot open the audio device  */
	LL_ERR_FILE              = -18, /**< cannot read or write a file   */
	LL_ERR_IN_CALLBACK       = -19, /**< not allowed inside a callback */
	LL_ERR_NOT_SUPPORTED     = -20, /**< not on this platform          */
	LL_ERR_INTERNAL          = -21,
	LL_ERR_MICROPHONE_DISABLED = -22, /**< microphone switch is off */
	LL_ERR_BUFFER_TOO_SMALL  = -23, /**< the result does not fit     */
	LL_ERR_STATUS_NOT_ALLOWED = -24, /**< status or reason refused  */
	LL_ERR_CERTIFICATE       = -25, /**< server not verified (TLS)  */
	LL_ERR_INSECURE          = -26, /**< plain HTTP/SIP/RTP refused */
};

/**
 * A short English description of an error code, SIP codes included.
 *
 * @param err  Return code of any liblianluo function
 *
 * @return Static string, never NULL
 */
LL_API const char *ll_strerror(int err);

/** The library's version, e.g. "0.1.0" (static string). */
LL_API const char *ll_version(void);

/** The library's version as LL_VERSION_NUM encodes it. */
LL_API uint32_t ll_version_num(void);


/* ---- Consent and the shared instance ---------------------------------- */

/**
 * Record whether the end user agreed to the app's privacy policy.  Until it
 * is called with 1, the SDK opens no socket, writes no file, starts no
 * thread and every other function returns LL_ERR_CONSENT_REQUIRED.
 *
 * Called with 0 after a 1, it is a withdrawal: see ll_privacy_withdraw().
 *
 * @param granted  1 when the user agreed, 0 otherwise
 *
 * @return 0, or as ll_privacy_withdraw() when consent is taken back
 */
LL_API int ll_privacy_consent(int granted);

/**
 * The user withdrew consent: ends any call, logs out, destroys the shared
 * instance and deletes the files the SDK wrote; afterwards the SDK behaves
 * as before consent.  Refused with LL_ERR_IN_CALLBACK inside a callback.
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_privacy_withdraw(void);

struct ll_sdk;

/**
 * The shared instance, created (with its thread) on first use.
 *
 * @return The instance, or NULL before consent or when out of memory
 */
LL_API struct ll_sdk *ll_shared_instance(void);

/**
 * Destroy the shared instance: ends any call, unregisters, stops the SDK
 * thread.  Safe to call when there is none.  No callback runs during or
 * after destroy; it waits at most about 1.5 s for the un-REGISTER and BYE
 * to complete (and for a login request in progress, at most 5 s).  Log
 * settings go back to their defaults.
 *
 * @return 0, or LL_ERR_IN_CALLBACK when called from inside a callback
 */
LL_API int ll_destroy_shared_instance(void);


/* ---- Events ------------------------------------------------------------ */

enum ll_direction {
	LL_DIRECTION_OUTBOUND = 0,   /**< the agent called                 */
	LL_DIRECTION_INBOUND  = 1,   /**< a call reached the agent         */
};

/** Why a session ended (TCCC's reasons). */
enum ll_end_reason {
	LL_END_ERROR = 0,
	LL_END_TIMEOUT,
	LL_END_REPLACED,
	LL_END_LOCAL_BYE,
	LL_END_REMOTE_BYE,
	LL_END_LOCAL_CANCEL,
	LL_END_REMOTE_CANCEL,
	LL_END_REJECTED,
	LL_END_REFERRED,
};

/** The static name of an end reason, e.g. "remoteBye". */
LL_API const char *ll_end_reason_str(enum ll_end_reason reason);

struct ll_session_info {
	const char *session_id;      /**< unique per call                  */
	enum ll_direction direction;
	const char *from_user;       /**< user part of From                */
	const char *to_user;         /**< user part of To                  */
	const char *remote_aor;      /**< the other side's SIP URI         */
	const char *custom_headers;  /**< X- headers as a JSON object      */
};

struct ll_audio_volume {
	const char *session_id;
	uint32_t capture;            /**< 0..100, what the agent says      */
	uint32_t playout;            /**< 0..100, what the agent hears     */
};

/** An agent's status (TCCC's agent statuses, DESIGN.md). */
enum ll_agent_status {
	LL_AGENT_OFFLINE = 0,   /**< not logged in (or no status known)  */
	LL_AGENT_FREE,          /**< inbound calls are offered            */
	LL_AGENT_BUSY,          /**< in a call                            */
	LL_AGENT_ARRANGE,       /**< after-call work                      */
	LL_AGENT_NOT_READY,     /**< may call out, gets no inbound call   */
	LL_AGENT_REST,          /**< resting, with a reason               */
};

/** The status as the server last told it; strings are "" when unset. */
struct ll_agent_status_info {
	enum ll_agent_status status;
	char reason[64];               /**< rest reason, or why the server
					    changed it                    */
	enum ll_agent_status pending;  /**< reserved for after the call;
					    LL_AGENT_OFFLINE when none    */
	char pending_reason[64];
	uint64_t since_ms;             /**< Unix ms of the change, 0 when
					    nothing was told yet          */
	uint64_t arrange_until_ms;     /**< end of after-call work, or 0  */
	char actor[64];                /**< "system", "agent" or the
					    SecretId of a supervisor      */
};

/** The static name of a status as TCCC spells it, e.g. "notReady". */
LL_API const char *ll_agent_status_str(enum ll_agent_status status);

struct ll_statistics {
	const char *session_id;
	uint32_t rtt_ms;
	uint32_t jitter_ms;          /**< interarrival jitter, received    */
	uint32_t loss_pct_up;        /**< lost on the way out (RTCP)       */
	uint32_t loss_pct_down;      /**< lost on the way in               */
	uint64_t packets_sent;
	uint64_t packets_received;
	const char *codec;           /**< "opus", "PCMU", "PCMA"           */
};

/**
 * Listener: set the callbacks you need, leave the others NULL.  Every
 * callback runs on the SDK thread; arg is the listener's arg.
 */
struct ll_listener {
	void (*on_error)(int err, const char *msg, void *arg);
	void (*on_warning)(int code, const char *msg, void *arg);
	void (*on_new_session)(const struct ll_session_info *info,
			       void *arg);
	void (*on_accepted)(const char *session_id, void *arg);
	void (*on_ended)(const char *session_id, enum ll_end_reason reason,
			 int sip_code, const char *msg, void *arg);
	void (*on_dtmf)(const char *session_id, char digit, void *arg);
	void (*on_audio_volume)(const struct ll_audio_volume *vol,
				void *arg);
	/** every 2 s during a call; quality 1 (excellent) .. 6 (down) */
	void (*on_network_quality)(const char *session_id, int quality,
				   void *arg);
	void (*on_statistics)(const struct ll_statistics *st, void *arg);
	void (*on_connection_lost)(void *arg);
	void (*on_try_to_reconnect)(void *arg);
	void (*on_connection_recovery)(void *arg);
	/**
	 * The agent's status on the server changed (or a status was
	 * reserved for after the call): the server told it.  Also after
	 * login, once the server told the first status.  Since 0.1.0.
	 */
	void (*on_agent_status_changed)(
		const struct ll_agent_status_info *info, void *arg);
	void *arg;
};

/**
 * Set (copy) the listener; NULL removes it.
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_set_listener(struct ll_sdk *sdk, const struct ll_listener *l);


/* ---- Login ------------------------------------------------------------- */

struct ll_login_info {
	const char *user_id;
	const char *aor;             /**< the SIP URI the agent registered */
	const char *diagnostic;      /**< human-readable detail            */
};

/** Completion of login, logout and call; err as the functions return. */
typedef void (ll_login_h)(int err, const struct ll_login_info *info,
			  void *arg);
typedef void (ll_result_h)(int err, const char *msg, void *arg);

/**
 * Log in as an agent (TCCC's agent mode): exchange the login token made by
 * the app's backend (POST /v1/sdk-login-tokens) for SIP credentials, then
 * register.  The result comes to loginh: 0, LL_ERR_NETWORK (server
 * unreachable), LL_ERR_TIMEOUT, LL_ERR_TOKEN_USED, LL_ERR_TOKEN_EXPIRED,
 * LL_ERR_AUTH_FAILED, LL_ERR_SERVER, or the SIP code that refused the
 * REGISTER (e.g. 403).  Once logged in, a lost registration is retried
 * by the SDK itself (on_connection_lost, on_try_to_reconnect after 1, 2,
 * 4 ... 30 s, on_connection_recovery).  With an https:// URL the
 * server's certificate is verified as ll_set_server_certificate() says,
 * before the token is sent; a failure is LL_ERR_CERTIFICATE, with the
 * reason in the login info's diagnostic.  http:// sends the token in
 * clear: use it only on a closed network.
 *
 * @param sdk         Shared instance
 * @param server_url  lianluod's API, e.g. "https://127.0.0.1:8443"
 * @param sdk_app_id  SdkAppId
 * @param user_id     The agent's UserId
 * @param token       Single-use login token
 * @param loginh      Result handler (may be NULL)
 * @param arg         Handler argument
 *
 * @return 0 if started, otherwise an error code
 */
LL_API int ll_login_agent(struct ll_sdk *sdk, const char *server_url,
			  const char *sdk_app_id, const char *user_id,
			  const char *token, ll_login_h *loginh, void *arg);

/**
 * How the next login verifies the server: https:// for ll_login_agent(),
 * and SIP over TLS for both logins.  The SDK never accepts a server it
 * cannot verify.
 *
 *   - 64 hex digits (pairs may be separated by ':', any case): the SHA-256
 *     of the server's certificate, as lianluod's credentials.json gives it
 *     in cert_sha256 (pinning; for self-signed certificates).  Only that
 *     certificate is accepted; its issuer and host name are not checked.
 *   - anything else: a PEM file of the certificate authorities to trust;
 *     the URL's host name or IP address must match the certificate.
 *   - NULL or "" (the default): the system's trust store, host checked.
 *
 * The file is read at login; an unreadable file makes that login fail
 * with LL_ERR_CERTIFICATE.  http:// URLs ignore the setting.  Once logged
 * in, a server whose certificate no longer verifies (replaced, or someone
 * in between) gets nothing: the SDK reports on_warning(LL_ERR_CERTIFICATE)
 * besides on_connection_lost and keeps trying to reconnect.
 *
 * @param sdk                Shared instance
 * @param sha256_or_ca_file  Fingerprint, CA file, or NULL (copied)
 *
 * @return 0 if success, LL_ERR_INVALID_ARGUMENT (longer than 255
 *         characters or with control characters), or another error code
 */
LL_API int ll_set_server_certificate(struct ll_sdk *sdk,
				     const char *sha256_or_ca_file);

/**
 * Allow plain HTTP, SIP and RTP (default: refused).  The SDK talks to
 * the server over https://, SIP over TLS and SRTP only, verifying the
 * server's certificate as ll_set_server_certificate() says: an http://
 * login URL, a server that sends the agent to plain SIP, a SIP-mode URI
 * without ";transport=tls" are refused with LL_ERR_INSECURE, and a call
 * offered without SRTP is rejected (488).  Allow it on closed networks
 * and in tests only: tokens, passwords, numbers and voices then travel
 * in clear.  Applies to the next login.
 *
 * @param sdk    Shared instance
 * @param allow  1 to allow, 0 to refuse again
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_allow_insecure(struct ll_sdk *sdk, int allow);

/**
 * Log in with a SIP account (SIP mode): register sip_uri with password.
 *
 * @param sip_uri   e.g. "sip:1001@127.0.0.1:5060"
 * @param password  Digest password
 *
 * @return 0 if started, otherwise an error code
 */
LL_API int ll_login_sip(struct ll_sdk *sdk, const char *sip_uri,
			const char *password, ll_login_h *loginh, void *arg);

/** Unregister and forget the credentials; ends any call first. */
LL_API int ll_logout(struct ll_sdk *sdk, ll_result_h *h, void *arg);

/**
 * Whether the agent is logged in and registered right now.
 *
 * @return 0 when logged in, LL_ERR_NOT_LOGGED_IN, or another error code
 */
LL_API int ll_check_login(struct ll_sdk *sdk);


/* ---- Calls ------------------------------------------------------------- */

/**
 * Call a number or SIP URI through the contact center (outbound).  The
 * session is reported by on_new_session, then on_accepted or on_ended.
 *
 * @param to      A phone number ("13900139000") or "sip:user@host"
 * @param remark  Free text stored in the CDR (may be NULL)
 * @param uui     User-to-user information stored in the CDR (may be NULL)
 * @param h       Called when the call is answered or fails (may be NULL)
 *
 * @return 0 if the call was started, otherwise an error code
 */
LL_API int ll_call(struct ll_sdk *sdk, const char *to, const char *remark,
		   const char *uui, ll_result_h *h, void *arg);

/** Answer the incoming call.  LL_ERR_NO_CALL when none is ringing. */
LL_API int ll_answer(struct ll_sdk *sdk);

/**
 * Hang up (on_ended localBye), cancel an outgoing call still ringing
 * (localCancel) or decline a ringing incoming one (603, rejected).
 *
 * @return 0, or LL_ERR_NO_CALL
 */
LL_API int ll_terminate(struct ll_sdk *sdk);

/**
 * Send one DTMF digit as an RFC 4733 telephone-event.
 *
 * @param digit  One of 0-9 * # A-D (else LL_ERR_BAD_DTMF)
 */
LL_API int ll_send_dtmf(struct ll_sdk *sdk, char digit);

/** Stop (mute) or resume sending the agent's voice. */
LL_API int ll_mute(struct ll_sdk *sdk);
LL_API int ll_unmute(struct ll_sdk *sdk);

/**
 * Mix a WAV file into what the other side hears.
 *
 * @param path   16-bit PCM WAV
 * @param loops  Times to play it; 0 or less plays it until stopped
 */
LL_API int ll_start_play_music(struct ll_sdk *sdk, const char *path,
			       int loops);
LL_API int ll_stop_play_music(struct ll_sdk *sdk);


/* ---- Agent status ----------------------------------------------------- */

/**
 * Ask the server for a status (a SIP MESSAGE, digest-authenticated like
 * the registration).  Waits for the server's answer (at most about
 * 5 s): 0 means the status was applied, or reserved for after the call
 * (during a call, or with after_call); the new status then comes to
 * on_agent_status_changed.  Not from inside a callback
 * (LL_ERR_IN_CALLBACK): the answer arrives on the thread callbacks run on.
 * ll_destroy_shared_instance() from another thread waits for a request in
 * progress; a logout ends it (LL_ERR_NOT_LOGGED_IN).  The SDK itself asks
 * the server for the status once, inside login; it never asks on a timer.
 *
 * @param sdk         Shared instance
 * @param status      LL_AGENT_FREE, LL_AGENT_NOT_READY or LL_AGENT_REST
 *                    (else LL_ERR_INVALID_ARGUMENT; after-call work is
 *                    ll_extend_arrange(), LL_AGENT_FREE ends it early)
 * @param reason      Rest reason, one of the application's (required for
 *                    LL_AGENT_REST, at most 63 bytes); may be NULL else
 * @param after_call  Reserve the status for when the current call and its
 *                    after-call work end
 *
 * @return 0 if success, LL_ERR_NOT_LOGGED_IN (also when the server sees
 *         the agent offline), LL_ERR_STATUS_NOT_ALLOWED (status or reason
 *         refused by the server), LL_ERR_TIMEOUT, LL_ERR_AUTH_FAILED, a
 *         SIP code, or another error code
 */
LL_API int ll_set_agent_status(struct ll_sdk *sdk,
			       enum ll_agent_status status,
			       const char *reason, bool after_call);

/**
 * Start or extend after-call work by seconds (1..3600), as
 * ll_set_agent_status() does, waiting for the server's answer.
 *
 * @return As ll_set_agent_status()
 */
LL_API int ll_extend_arrange(struct ll_sdk *sdk, uint32_t seconds);

/**
 * Copy the status the server told last into info (no request is made).
 * Before the server told one, info->status is LL_AGENT_OFFLINE and
 * info->since_ms 0.
 *
 * @return 0 if success, LL_ERR_NOT_LOGGED_IN, or another error code
 */
LL_API int ll_get_agent_status(struct ll_sdk *sdk,
			       struct ll_agent_status_info *info);


/* ---- Audio ------------------------------------------------------------- */

/**
 * Choose the audio driver, before a call:
 *   "file":  capture reads the WAV at `capture`, playout writes the WAV
 *            at `playout` (either may be NULL: silence / discarded);
 *   "null":  silence in, nothing out;
 *   "alsa":  the sound card; capture/playout are ALSA device names
 *            (NULL: "default").
 *
 * @return 0, LL_ERR_NOT_SUPPORTED for an unknown driver, or another code
 */
LL_API int ll_set_audio_driver(struct ll_sdk *sdk, const char *driver,
			       const char *capture, const char *playout);

/** Volumes in percent, 0..150 (100 = unchanged). */
LL_API int ll_set_capture_volume(struct ll_sdk *sdk, uint32_t volume);
LL_API int ll_set_playout_volume(struct ll_sdk *sdk, uint32_t volume);
LL_API int ll_get_capture_volume(struct ll_sdk *sdk, uint32_t *volume);
LL_API int ll_get_playout_volume(struct ll_sdk *sdk, uint32_t *volume);

enum ll_audio_route {
	LL_AUDIO_ROUTE_SPEAKERPHONE = 0,
	LL_AUDIO_ROUTE_EARPIECE     = 1,
};

/** Phones have a route; on a desktop this returns LL_ERR_NOT_SUPPORTED. */
LL_API int ll_set_audio_route(struct ll_sdk *sdk, enum ll_audio_route route);

/**
 * Report on_audio_volume every interval_ms during a call; 0 stops it.
 *
 * @param interval_ms  100..5000, or 0
 */
LL_API int ll_enable_audio_volume_evaluation(struct ll_sdk *sdk,
					     uint32_t interval_ms);


/* ---- Logging ----------------------------------------------------------- */

enum ll_log_level {
	LL_LOG_DEBUG = 0,
	LL_LOG_INFO,
	LL_LOG_WARN,
	LL_LOG_ERROR,
	LL_LOG_NONE,
};

/**
 * Phone numbers are masked and secrets left out of every log line.  The
 * defaults: level LL_LOG_INFO, console (stderr) on, no log directory.
 * These settings are process-wide and reset when the instance goes.
 */
LL_API int ll_set_log_level(struct ll_sdk *sdk, enum ll_log_level level);
LL_API int ll_set_console_enabled(struct ll_sdk *sdk, bool enabled);

/**
 * Also write the log to files in dir (created 0700); NULL stops it.
 */
LL_API int ll_set_log_dir(struct ll_sdk *sdk, const char *dir);

/* ---- Personal information --------------------------------------------- */

/**
 * Every personal-data item the SDK can read (DESIGN.md, personal
 * information rules 2, 3 and 8).  The disclosure lists exactly these,
 * and the ledger records nothing else.  Append only.
 *
 * Required items are read only inside a login the user triggered:
 *   LL_PRIVACY_NETWORK_STATE  the route towards the server (which local
 *                             interface and address reach it)
 *   LL_PRIVACY_OS             the OS name (uname sysname), agent login
 *   LL_PRIVACY_DEVICE_MODEL   the machine type (uname machine), agent login
 *   LL_PRIVACY_SDK_VERSION    sent as User-Agent
 *   LL_PRIVACY_IP_ADDRESS     the local IP address put in SIP and SDP
 * Optional items each have a switch (ll_set_privacy_switch()):
 *   LL_PRIVACY_MICROPHONE     the agent's voice during a call (default on)
 *   LL_PRIVACY_CAMERA         never used: this version has no video
 *                             (default off; switching it on changes
 *                             nothing)
 *   LL_PRIVACY_LOG_FILES      log files in the ll_set_log_dir() directory
 *                             (default on; nothing is written without a
 *                             log directory)
 *   LL_PRIVACY_DEVICE_DETAILS OS release and kernel version, sent with an
 *                             agent login (default off)
 */
enum ll_privacy_item {
	LL_PRIVACY_NETWORK_STATE = 0,
	LL_PRIVACY_OS,
	LL_PRIVACY_DEVICE_MODEL,
	LL_PRIVACY_SDK_VERSION,
	LL_PRIVACY_IP_ADDRESS,
	LL_PRIVACY_MICROPHONE,
	LL_PRIVACY_CAMERA,
	LL_PRIVACY_LOG_FILES,
	LL_PRIVACY_DEVICE_DETAILS,
	LL_PRIVACY_ITEM_COUNT,       /**< not an item: the number of items */
};

/**
 * The stable identifier of an item, as the disclosure and the ledger
 * spell it (e.g. "network_state").  Works without consent.
 *
 * @param item  An item
 *
 * @return Static string, or NULL for a value that is not an item
 */
LL_API const char *ll_privacy_item_name(enum ll_privacy_item item);

/**
 * The SDK's privacy disclosure, for the app's privacy policy: the SDK and
 * its provider, purposes and scenarios, each personal-data item (required
 * or optional, purpose, when it is read), each OS permission (purpose,
 * when, required or optional), how data is processed and protected, and
 * the data subject's rights.  It is generated from the same tables the
 * code uses; docs/PRIVACY.md is this text in Markdown.  Works without
 * consent and touches nothing (no file, socket or thread).  Any thread.
 *
 * @param lang    "en" or "zh"
 * @param format  "json" or "markdown"
 *
 * @return Static UTF-8 string, owned by the library and valid for the
 *         life of the process (never free it), or NULL for an unknown
 *         lang or format or when out of memory
 */
LL_API const char *ll_privacy_disclosure(const char *lang,
					 const char *format);

/**
 * Switch an optional item on or off; off means that code path is never
 * reached: LL_PRIVACY_DEVICE_DETAILS off: not read, not in the login
 * request; LL_PRIVACY_LOG_FILES off: no log file is opened or written,
 * even with a log directory set (an open one is closed);
 * LL_PRIVACY_MICROPHONE off: ll_call() and ll_answer() fail with
 * LL_ERR_MICROPHONE_DISABLED when the audio driver would capture from a
 * device or file ("alsa", or "file" with a capture path); the "null"
 * driver and "file" without capture still work.  Set before login; a
 * change applies to the next login or call.  The switches are
 * process-wide and go back to their defaults on withdrawal.
 *
 * @param sdk      Shared instance
 * @param item     An optional item (else LL_ERR_INVALID_ARGUMENT)
 * @param enabled  true to allow the item
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_set_privacy_switch(struct ll_sdk *sdk,
				 enum ll_privacy_item item, bool enabled);

/**
 * Read a switch.  Required items always read as enabled.
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_get_privacy_switch(struct ll_sdk *sdk,
				 enum ll_privacy_item item, bool *enabled);

/**
 * The ledger of personal-data reads, as JSON:
 *   {"entries":[{"item":"os","purpose":"...","api":"ll_login_agent",
 *                "time_ms":1790000000000}, ...],"dropped":0}
 * One entry per read, oldest first, kept in memory only (the last 256;
 * "dropped" counts older ones) and cleared on withdrawal.  Any thread.
 *
 * @param sdk   Shared instance
 * @param buf   Buffer for the NUL-terminated JSON
 * @param size  Its size
 *
 * @return 0 if success, LL_ERR_BUFFER_TOO_SMALL (buf holds "" then), or
 *         another error code
 */
LL_API int ll_privacy_ledger_json(struct ll_sdk *sdk, char *buf,
				  size_t size);

enum ll_app_state {
	LL_APP_FOREGROUND = 0,
	LL_APP_BACKGROUND = 1,
};

/**
 * Report whether the app is in the foreground (the default) or in the
 * background.  In the background the SDK makes no request of its own:
 * the registration is suspended, not removed (no refresh, no keepalive,
 * no reconnection attempt; a REGISTER or OPTIONS in progress is
 * abandoned), so the server drops the binding when it expires and no
 * call reaches the agent.  A call in progress goes on (it is the user's).
 * Back in the foreground the SDK registers again at once.  Requests the
 * app makes itself (login, call) are still carried out in the background;
 * in this version a login that completes while in the background starts
 * its refresh and keepalive, so report LL_APP_BACKGROUND again after it.
 *
 * @param sdk    Shared instance
 * @param state  LL_APP_FOREGROUND or LL_APP_BACKGROUND
 *
 * @return 0 if success, otherwise an error code
 */
LL_API int ll_set_app_state(struct ll_sdk *sdk, enum ll_app_state state);

#ifdef __cplusplus
}
#endif

#endif /* LIANLUO_H */
