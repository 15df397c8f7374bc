/**
 * @file agent/args.c  lianluo-agent: the command line
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Every option takes the form "--name VALUE" or "--name" alone; nothing
 * is read from the environment, so that a token never has to sit in one.
 * Checks that need no SDK are made here, so that a mistake is reported
 * before anything starts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <lianluo/lianluo.h>
#include "agent.h"


void args_usage(FILE *f)
{
	fputs(
"Usage: lianluo-agent --server URL --app SDKAPPID --user USER --token TOKEN\n"
"                     --consent granted [options]\n"
"       (https:// and SIP over TLS are verified: --cert-sha256 HEX pins\n"
"       the server's certificate, as credentials.json's cert_sha256;\n"
"       --ca-file FILE trusts those CAs; else the system's trust store)\n"
"       lianluo-agent --sip-uri URI --password PW --consent granted "
"[options]\n"
"\n"
"Without --auto-answer or --call it is an interactive workstation (keys:\n"
"a answer, h hang up, d dial, 0-9*# DTMF, m mute, q quit; f free,\n"
"n notReady, r rest (asks the reason), x after-call work +60 s).\n"
"\n"
"  --consent granted     the end user agreed to the privacy policy "
"(required)\n"
"  --auto-answer         bot: answer every incoming call\n"
"  --insecure            allow plain HTTP, SIP and RTP (closed networks\n"
"                        and tests only; refused by default)\n"
"  --call NUMBER         bot: call NUMBER (a phone number or SIP URI)\n"
"  --remark TEXT         remark stored in the CDR of --call\n"
"  --uui TEXT            user-to-user information for --call\n"
"  --play FILE.wav       what the other side hears (file audio driver)\n"
"  --record FILE.wav     record what the agent hears; call n > 1 goes\n"
"                        to FILE-n.wav\n"
"  --hangup-after S      hang up S seconds after the call is answered\n"
"  --calls N             handle N calls, log out, exit 0 (default: 1 for\n"
"                        --call, no limit for --auto-answer)\n"
"  --dtmf DIGITS         send DIGITS once answered, one every 250 ms\n"
"  --mute-after S        mute S seconds into each call\n"
"  --unmute-after S      unmute S seconds into each call\n"
"  --timeout S           give up (exit 1) when the calls are not done\n"
"                        within S seconds\n"
"  --status S[:REASON]   bot: after login ask for status S (free,\n"
"                        notReady, rest:REASON); given again, each\n"
"                        SIGUSR1 asks for the next one (for after the\n"
"                        call when one is in progress).  Printed:\n"
"                        \"event status NAME [REASON] [pending NAME]\"\n"
"                        for each status the server tells, and\n"
"                        \"event status-request ... code=N\" for each\n"
"                        request\n"
"  --log-level L         debug, info, warn, error or none\n"
"  --log-dir DIR         also write the SDK's log to files in DIR\n"
"  --privacy-on LIST     switch optional items on, e.g. device_details\n"
"  --privacy-off LIST    switch them off: microphone, camera, log_files,\n"
"                        device_details (comma-separated)\n"
"  --background-for S    after login, report the app in the background\n"
"                        for S seconds (\"event background\", then\n"
"                        \"event foreground\")\n"
"  --withdraw-after S    S seconds after login (and background), the\n"
"                        user withdraws consent: \"event withdrawn\",\n"
"                        3.5 s of silence, \"event quiet-end\", exit 0\n"
"  --privacy-disclosure  print the SDK's privacy disclosure (Markdown)\n"
"                        and exit; no consent needed\n"
"  --lang en|zh          its language (default en)\n"
"  --json                as JSON\n"
"  --help                this text\n"
"\n"
"Events go to stdout, one line each (\"event accepted\"); phone numbers\n"
"are masked.  Exit status: 0 done, 1 failure (one line on stderr), 2 usage.\n",
	      f);
}


static int usage_error(const char *fmt, const char *arg)
{
	fputs("lianluo-agent: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (--help for usage)\n", stderr);
	return -1;
}


static int usage_msg(const char *msg)
{
	return usage_error("%s", msg);
}


static int parse_seconds(int64_t *msp, const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 ||
	    v > 86400.0)
		return usage_error("%s wants seconds (0..86400)", name);

	*msp = (int64_t)(v * 1000.0 + 0.5);
	return 0;
}


static int parse_level(int *levelp, const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error",
				      "none"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (0 == strcmp(s, names[i])) {
			*levelp = (int)i + LL_LOG_DEBUG;
			return 0;
		}
	}

	return usage_error("--log-level %s: use debug, info, warn, error "
			   "or none", s);
}


static bool dtmf_ok(const char *s)
{
	for (; *s; s++) {
		if (!strchr("0123456789*#ABCD", *s))
			return false;
	}

	return true;
}


/* Options that take a string value, by name and field. */
struct str_opt {
	const char *name;
	size_t off;
};

static const struct str_opt str_opts[] = {
	{"--server",   offsetof(struct agent_args, server)},
	{"--cert-sha256", offsetof(struct agent_args, cert_sha256)},
	{"--ca-file",  offsetof(struct agent_args, ca_file)},
	{"--app",      offsetof(struct agent_args, app)},
	{"--user",     offsetof(struct agent_args, user)},
	{"--token",    offsetof(struct agent_args, token)},
	{"--sip-uri",  offsetof(struct agent_args, sip_uri)},
	{"--password", offsetof(struct agent_args, password)},
	{"--call",     offsetof(struct agent_args, call)},
	{"--remark",   offsetof(struct agent_args, remark)},
	{"--uui",      offsetof(struct agent_args, uui)},
	{"--play",     offsetof(struct agent_args, play)},
	{"--record",   offsetof(struct agent_args, record)},
	{"--dtmf",     offsetof(struct agent_args, dtmf)},
	{"--lang",     offsetof(struct agent_args, lang)},
	{"--log-dir",  offsetof(struct agent_args, log_dir)},
	{"--privacy-on",  offsetof(struct agent_args, privacy_on)},
	{"--privacy-off", offsetof(struct agent_args, privacy_off)},
};


static const struct str_opt *str_opt_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(str_opts) / sizeof(str_opts[0]); i++) {
		if (0 == strcmp(name, str_opts[i].name))
			return &str_opts[i];
	}

	return NULL;
}


static int parse_option(struct agent_args *a, const char *name,
			const char *val)
{
	const struct str_opt *so = str_opt_find(name);
	char *end;
	unsigned long n;

	if (so) {
		if (!*val)
			return usage_error("%s wants a value", name);
		*(const char **)(void *)((char *)a + so->off) = val;
		return 0;
	}
	if (0 == strcmp(name, "--consent")) {
		if (strcmp(val, "granted"))
			return usage_error("--consent takes only \"granted\""
					   ", not \"%s\"", val);
		a->consent = true;
		return 0;
	}
	if (0 == strcmp(name, "--hangup-after"))
		return parse_seconds(&a->hangup_after_ms, name, val);
	if (0 == strcmp(name, "--mute-after"))
		return parse_seconds(&a->mute_after_ms, name, val);
	if (0 == strcmp(name, "--unmute-after"))
		return parse_seconds(&a->unmute_after_ms, name, val);
	if (0 == strcmp(name, "--timeout"))
		return parse_seconds(&a->timeout_ms, name, val);
	if (0 == strcmp(name, "--background-for"))
		return parse_seconds(&a->background_for_ms, name, val);
	if (0 == strcmp(name, "--withdraw-after"))
		return parse_seconds(&a->withdraw_after_ms, name, val);
	if (0 == strcmp(name, "--log-level"))
		return parse_level(&a->log_level, val);
	if (0 == strcmp(name, "--status")) {
		if (a->statusc >= AGENT_STATUS_MAX)
			return usage_msg("--status: too many");
		if (status_parse(&a->status[a->statusc], val))
			return usage_error("--status %s: use free, notReady "
					   "or rest:REASON", val);
		++a->statusc;
		return 0;
	}
	if (0 == strcmp(name, "--calls")) {
		errno = 0;
		n = strtoul(val, &end, 10);
		if (errno || end == val || *end || n < 1 || n > 1000000)
			return usage_error("--calls wants a count, not %s",
					   val);
		a->calls = (unsigned)n;
		a->calls_set = true;
		return 0;
	}

	return usage_error("unknown option %s", name);
}


static bool takes_value(const char *name)
{
	return 0 != strcmp(name, "--auto-answer") &&
		0 != strcmp(name, "--help") &&
		0 != strcmp(name, "--privacy-disclosure") &&
		0 != strcmp(name, "--insecure") &&
		0 != strcmp(name, "--json");
}


static int check_args(struct agent_args *a)
{
	const bool agent_mode = a->server || a->app || a->user || a->token;
	const bool sip_mode = a->sip_uri || a->password;

	if (a->lang && strcmp(a->lang, "en") && strcmp(a->lang, "zh"))
		return usage_error("--lang %s: use en or zh", a->lang);
	if (a->disclosure)
		return 0;
	if (a->lang || a->json)
		return usage_msg("--lang and --json go with "
				 "--privacy-disclosure");

	if (agent_mode && sip_mode)
		return usage_msg("give either --server/--app/--user/--token "
				 "or --sip-uri/--password, not both");
	if (sip_mode && !(a->sip_uri && a->password))
		return usage_msg("SIP mode needs --sip-uri and --password");
	if (!sip_mode && !(a->server && a->app && a->user && a->token))
		return usage_msg("needs --server, --app, --user and --token "
				 "(or --sip-uri and --password)");
	if (a->auto_answer && a->call)
		return usage_msg("--auto-answer and --call exclude each "
				 "other");
	if ((a->remark || a->uui) && !a->call)
		return usage_msg("--remark and --uui go with --call");
	if (a->dtmf && !dtmf_ok(a->dtmf))
		return usage_error("--dtmf %s: digits are 0-9 * # A-D",
				   a->dtmf);
	if ((a->mute_after_ms < 0) != (a->unmute_after_ms < 0))
		return usage_msg("--mute-after and --unmute-after go "
				 "together");
	if (a->mute_after_ms >= 0 && a->unmute_after_ms <= a->mute_after_ms)
		return usage_msg("--unmute-after must come after "
				 "--mute-after");
	if (!args_bot_mode(a) && (a->play || a->record || a->dtmf ||
				  a->calls_set || a->hangup_after_ms >= 0 ||
				  a->mute_after_ms >= 0 || a->timeout_ms >= 0 ||
				  a->statusc))
		return usage_msg("--play, --record, --dtmf, --calls, "
				 "--hangup-after, --mute-after, --timeout "
				 "and --status need --auto-answer or --call");

	if (!a->calls_set)
		a->calls = a->call ? 1 : 0;

	return 0;
}


/**
 * Parse the command line.
 *
 * @param a     Parsed options (strings point into argv)
 * @param argc  Argument count
 * @param argv  Arguments
 *
 * @return 0 to go on, 1 when --help was printed, -1 on a usage error
 *         (already reported on stderr)
 */
int args_parse(struct agent_args *a, int argc, char *argv[])
{
	int i;

	memset(a, 0, sizeof(*a));
	a->hangup_after_ms = -1;
	a->mute_after_ms = -1;
	a->unmute_after_ms = -1;
	a->timeout_ms = -1;
	a->log_level = -1;
	a->background_for_ms = -1;
	a->withdraw_after_ms = -1;

	for (i = 1; i < argc; i++) {
		const char *name = argv[i];
		const char *eq;
		char buf[32];
		int err;

		if (0 == strcmp(name, "--help") || 0 == strcmp(name, "-h")) {
			args_usage(stdout);
			return 1;
		}
		if (0 == strcmp(name, "--auto-answer")) {
			a->auto_answer = true;
			continue;
		}
		if (0 == strcmp(name, "--privacy-disclosure")) {
			a->disclosure = true;
			continue;
		}
		if (0 == strcmp(name, "--insecure")) {
			a->insecure = true;
			continue;
		}
		if (0 == strcmp(name, "--json")) {
			a->json = true;
			continue;
		}
		if (strncmp(name, "--", 2))
			return usage_error("unexpected argument %s", name);

		/* --name=value is accepted as well as --name value */
		eq = strchr(name, '=');
		if (eq) {
			size_t n = (size_t)(eq - name);

			if (n >= sizeof(buf))
				return usage_error("unknown option %s", name);
			memcpy(buf, name, n);
			buf[n] = '\0';
			err = parse_option(a, buf, eq + 1);
		}
		else if (!takes_value(name)) {
			return usage_error("unknown option %s", name);
		}
		else if (i + 1 >= argc) {
			return usage_error("%s wants a value", name);
		}
		else {
			err = parse_option(a, name, argv[++i]);
		}
		if (err)
			return err;
	}

	return check_args(a);
}


/** Whether the options ask for a bot rather than a workstation. */
bool args_bot_mode(const struct agent_args *a)
{
	return a->auto_answer || a->call != NULL;
}
