/**
 * @file ivr/ivr.h  IVR menus: spec, digit collection, in-band DTMF
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: this folder holds what an IVR needs that is neither SIP nor
 * storage, so that the API (to validate a menu before it is stored) and
 * the SIP front end (to run it) share one definition, and the unit test
 * can drive each part alone: the menu parser (menu.c), the digit
 * collection state machine (collect.c, no timers: the caller reports the
 * prompt's end and the no-input timeout) and the in-band DTMF detector
 * for G.711 audio (inband.c, on librem's dtmf_dec).
 *
 * Privacy: digits may be account numbers.  Nothing here logs a digit;
 * callers log an option by its key only when it is a configured option.
 */

enum {
	IVR_SPEC_MAX      = 4095,   /* bytes of a menu's JSON */
	IVR_NAME_SZ       = 128,    /* menu and skill group names */
	IVR_PROMPT_SZ     = 65,     /* prompt names: 1-64 characters */
	IVR_OPTIONS_MAX   = 12,     /* 0-9, '*' and '#' */
	IVR_JSON_DEPTH    = 3,      /* menu, options, option */
	IVR_DEPTH_MAX     = 5,      /* sub-menus entered in one call */
	IVR_TIMEOUT_MAX_S = 60,
	IVR_TRIES_MAX     = 9,
	IVR_PRIORITY_MAX  = 100,
	IVR_ERR_SZ        = 128,
};

enum ivr_action {
	IVR_ACT_GROUP = 0,     /* queue to a skill group */
	IVR_ACT_MENU,          /* go to another menu */
	IVR_ACT_HANGUP,        /* end the call */
};

struct ivr_option {
	char key;                      /* '0'-'9', '*', '#' */
	enum ivr_action action;
	char target[IVR_NAME_SZ];      /* group or menu; "" for hangup */
	int32_t priority;              /* for a group; -1: the number's */
};

struct ivr_menu {
	char prompt[IVR_PROMPT_SZ];
	char invalid_prompt[IVR_PROMPT_SZ];   /* "" = none */
	uint32_t timeout_s;
	uint32_t max_tries;
	char fallback;                 /* option when tries run out; 0 =
					  hang up */
	struct ivr_option optv[IVR_OPTIONS_MAX];
	size_t optc;
};

/* menu.c */
int  ivr_menu_decode(struct ivr_menu *m, const char *json, size_t len,
		     char *errbuf, size_t errsz);
const struct ivr_option *ivr_menu_option(const struct ivr_menu *m,
					 char key);
bool ivr_prompt_name_valid(const char *s);
const char *ivr_action_str(enum ivr_action act);
int  ivr_menu_encode(struct re_printf *pf, const struct ivr_menu *m);

/* collect.c: what the runner must do after each event */
enum ivr_step {
	IVR_STEP_NONE = 0,     /* nothing new */
	IVR_STEP_PROMPT,       /* play the menu prompt, report its end */
	IVR_STEP_INVALID,      /* play the invalid prompt, report its end */
	IVR_STEP_WAIT,         /* start the no-input timer (timeout_s) */
	IVR_STEP_OPTION,       /* take the option returned */
	IVR_STEP_HANGUP,       /* tries ran out and no fallback: end */
};

enum ivr_collect_state {
	IVR_COLLECT_PROMPT = 0,
	IVR_COLLECT_INVALID,
	IVR_COLLECT_WAIT,
	IVR_COLLECT_DONE,
};

struct ivr_collect {
	const struct ivr_menu *menu;   /* (ref. by pointer) */
	enum ivr_collect_state state;
	uint32_t tries;                /* failed: no input or invalid */
};

enum ivr_step ivr_collect_start(struct ivr_collect *c,
				const struct ivr_menu *menu);
enum ivr_step ivr_collect_digit(struct ivr_collect *c, char digit,
				const struct ivr_option **optp);
enum ivr_step ivr_collect_prompt_end(struct ivr_collect *c);
enum ivr_step ivr_collect_timeout(struct ivr_collect *c,
				  const struct ivr_option **optp);
const char *ivr_step_str(enum ivr_step step);

/* inband.c: DTMF in G.711 audio */
struct ivr_inband;
typedef void (ivr_digit_h)(char digit, void *arg);

int  ivr_inband_alloc(struct ivr_inband **ibp, ivr_digit_h *digith,
		      void *arg);
int  ivr_inband_g711(struct ivr_inband *ib, bool alaw, const uint8_t *p,
		     size_t n);
