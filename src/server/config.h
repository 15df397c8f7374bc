/**
 * @file config.h  lianluod configuration: defaults, file, command line
 *
 * Copyright (C) 2026 The lianluo authors
 */

struct config {
	char data_dir[256];
	struct sa sip_laddr;          /* UDP and TCP */
	struct sa sip_tls_laddr;      /* SIP over TLS; AF_UNSPEC = off */
	struct sa http_laddr;         /* plain HTTP API; AF_UNSPEC = off */
	struct sa https_laddr;        /* HTTPS API; AF_UNSPEC = off */
	char tls_cert[256];           /* PEM; "" = DATA/tls/cert.pem */
	char tls_key[256];            /* PEM; "" = DATA/tls/key.pem */
	char trunk_uri[256];          /* outbound calls go here; "" = none */
	char trunk_cert_sha256[65];   /* a TLS trunk's certificate pin, or */
	char trunk_ca_file[256];      /* its CA file; neither: system store */
	char realm[64];               /* SIP digest realm */
	char queue_prompt[256];       /* WAV played once to waiting callers,
					 "" = none */
	char hold_music[256];         /* WAV looped to them; "" = a tone */
	char prompt_dir[256];         /* prompts, NAME.wav; "" = DATA/
					 prompts (shipped ones: below) */
	uint32_t announce_period_s;   /* position and wait; 0 = never */
	uint32_t ring_timeout_s;      /* per agent attempt */
	uint32_t max_wait_s;          /* in queue, then the call is ended */
	uint32_t wrapup_s;            /* default after-call work */
	uint32_t media_timeout_s;     /* no RTP from a leg: call over; 0 off */
	uint32_t reject_delay_s;      /* no offer after a rejected one */
	uint32_t no_answer_delay_s;   /* no offer after an unanswered one */
	uint32_t token_ttl_s;         /* SDK login token lifetime */
	uint32_t sipcred_ttl_s;       /* ephemeral SIP credential lifetime */
	uint32_t reg_max_expires_s;
	uint32_t rtp_port_min;
	uint32_t rtp_port_max;
	size_t http_max_body;         /* larger requests get 413 */
	uint32_t auth_fail_addr;      /* failed authentications of one
					 source address that block it; 0 off */
	uint32_t auth_fail_user;      /* the same of one SIP username or
					 API SecretId; 0 off */
	uint32_t auth_fail_window_s;  /* window and block length */
	uint32_t sip_request_rate;    /* REGISTER, MESSAGE, new INVITE a
					 second per source address; 0 off */
	uint32_t sip_calls_addr;      /* calls in progress per source
					 address (not the trunk); 0 off */
	uint32_t sip_calls_agent;     /* outbound calls in progress per
					 agent; 0 off */
	enum log_level log_level;
};

void config_defaults(struct config *cfg);
bool config_listening(const struct sa *laddr);
int  config_load_file(struct config *cfg, const char *path);
int  config_parse_args(struct config *cfg, int argc, char *argv[]);
int  config_prompt_dir(const struct config *cfg, const char *sub, char *buf,
		       size_t sz);
