/**
 * @file ctl/ctl.h  lianluoctl internals
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The HTTP client lianluoctl uses is common/httpc.h, shared with the SDK.
 */

struct ctl;
struct odict;

/* The options the commands of the other files use; main.c fills it. */
struct ctl_args {
	const char *noun;
	const char *verb;
	const char *phone;
	const char *user;
	const char *limit;
	const char *retention_days;
	const char *rest_reasons;  /* comma-separated */
	const char *set;           /* agent status --set */
	const char *reason;
	const char *arrange;
	const char *window;
	const char *from_ms;
	const char *to_ms;
	bool after_call;
	bool json;
	const char *name;          /* ivr.c */
	const char *file;
	const char *role;          /* creds.c */
	const char *secret_id;
};

/* A command of agents.c, privacy.c or ivr.c; verb NULL: the noun alone */
struct ctl_cmd {
	const char *noun;
	const char *verb;
	int (*h)(struct ctl *ctl, const struct ctl_args *a);
};

/* main.c: runs the command of cmdv[cmdc] that the words of a name */
int ctl_cmd_run(struct ctl *ctl, const struct ctl_args *a,
		const struct ctl_cmd *cmdv, size_t cmdc);
/* main.c: prints a usage error; returns the exit status for it (2) */
int ctl_usage_error(const char *msg);

/* main.c: one request; prints the reply with --json; returns the exit
 * status (0, 1 failure) and on success the decoded reply in *odp */
int ctl_call(struct ctl *ctl, const char *method, const char *path,
	     const char *body, struct odict **odp);

/* privacy.c: personal-data delete, audit list, settings get|set */
int ctl_privacy(struct ctl *ctl, const struct ctl_args *a);

/* agents.c: agent list|status|history, metrics queues|agents, status */
int ctl_agents(struct ctl *ctl, const struct ctl_args *a);
/* creds.c: credentials create|list|delete */
int ctl_creds(struct ctl *ctl, const struct ctl_args *a);
/* ivr.c: ivr set|get|list|delete */
int ctl_ivr(struct ctl *ctl, const struct ctl_args *a);
int ctl_number_extra(char *body, size_t sz, const char *ivr,
		     const char *priority);

/* main.c */
void ctl_fmt_ms(char *buf, size_t sz, int64_t ms);
int  ctl_pct_print(struct re_printf *pf, const char *s);
