/**
 * @file sdk/privacy.h  liblianluo internals for personal information:
 *                      disclosure, switches, ledger, app state
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One table (disclosure.c) describes every personal-data item; the
 * switches, the ledger and the disclosure all index it by enum
 * ll_privacy_item, so that what is disclosed and what is recorded cannot
 * name different things.  Switches, ledger and app state are
 * process-wide, guarded by their own locks, and reset on withdrawal.
 */

/** One personal-data item of the disclosure (disclosure.c). */
struct ll__pitem {
	const char *id;              /* ll_privacy_item_name() */
	bool required;
	bool dflt;                   /* the switch's default */
	const char *purpose_en;      /* also the ledger's purpose */
};

/* disclosure.c */
const struct ll__pitem *ll__pitem(enum ll_privacy_item item);

/* ledger.c */
void ll__ledger_record(enum ll_privacy_item item, const char *api);
void ll__ledger_clear(void);

/* privacy_switch.c */
bool ll__privacy_on(enum ll_privacy_item item);
void ll__privacy_reset(void);
int  ll__privacy_mic_check(const struct ll_sdk *sdk, const char *api);
int  ll__privacy_client_json(char *buf, size_t size, const char *api);
void ll__privacy_network_read(const char *api);

/* log.c */
void ll__log_switch(bool on);

/* reconnect.c (the block at its end) */
void ll__reconnect_suspend(struct ll__acct *acct);
void ll__reconnect_resume(struct ll__acct *acct);
