/**
 * @file agent/output.c  lianluo-agent: event lines, masking, errors
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Everything the program prints goes through here, so that the privacy
 * rules hold in one place: every string that came from the SDK or the
 * network is masked (runs of 7 or more digits keep only their ends, as in
 * 138****5678), and the token and passwords are never passed in at all.
 *
 * Events are one line each on stdout ("event accepted id=..."), flushed at
 * once so that a program reading a pipe or a file sees them as they
 * happen.  Failures are one line on stderr naming ll_strerror()'s text and
 * the code.  In interactive mode a redraw hook puts the status line back
 * under each event line.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <pthread.h>
#include <lianluo/lianluo.h>
#include "agent.h"


enum {
	MASK_MIN_DIGITS = 7,
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*redraw)(void);


/** Line-buffer stdout even when it is a file or a pipe. */
void out_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}


/** Set (or clear, with NULL) the interactive status-line redraw hook. */
void out_set_redraw(void (*redrawh)(void))
{
	pthread_mutex_lock(&out_lock);
	redraw = redrawh;
	pthread_mutex_unlock(&out_lock);
}


/*
 * How much of a run of n digits stays readable: 11 or more keep 3 + 4
 * (138****5678), 9 or 10 keep 2 + 2, 7 or 8 keep 1 + 2.
 */
static void mask_run(char *p, size_t n)
{
	size_t head = n >= 11 ? 3 : n >= 9 ? 2 : 1;
	size_t tail = n >= 11 ? 4 : 2;
	size_t i;

	for (i = head; i + tail < n; i++)
		p[i] = '*';
}


/**
 * Copy src to dst with every phone-number-like run of digits masked.  A
 * run counts when it has 7 or more digits and is not glued to a letter
 * (so that hexadecimal identifiers stay readable); service numbers such
 * as 4001 are not personal and stay as they are.  Control characters are
 * replaced by '?', so that a peer cannot write to the terminal.
 *
 * @param dst  Output buffer
 * @param sz   Its size
 * @param src  Text (NULL counts as "")
 */
void out_mask(char *dst, size_t sz, const char *src)
{
	size_t i = 0, n;

	if (!sz)
		return;
	snprintf(dst, sz, "%s", src ? src : "");
	n = strlen(dst);

	while (i < n) {
		size_t start, len;

		if (iscntrl((unsigned char)dst[i]))
			dst[i] = '?';
		if (!isdigit((unsigned char)dst[i])) {
			++i;
			continue;
		}
		start = i;
		while (i < n && isdigit((unsigned char)dst[i]))
			++i;
		len = i - start;
		if (len < MASK_MIN_DIGITS)
			continue;
		if (start > 0 && isalpha((unsigned char)dst[start - 1]))
			continue;
		if (i < n && isalpha((unsigned char)dst[i]))
			continue;
		mask_run(dst + start, len);
	}
}


/**
 * Print one event line to stdout: "event " and the formatted text, which
 * is masked as a whole.
 */
void out_event(const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	out_mask(line, sizeof(line), raw);

	pthread_mutex_lock(&out_lock);
	if (redraw)
		fputs("\r\033[K", stdout);
	printf("event %s\n", line);
	fflush(stdout);
	if (redraw)
		redraw();
	pthread_mutex_unlock(&out_lock);
}


/**
 * Print a failure as one line on stderr: what failed, ll_strerror()'s
 * text and the code.
 *
 * @param what  What was being done ("login refused")
 * @param err   SDK return code
 */
void out_fail(const char *what, int err)
{
	out_errorf("%s: %s (%d)", what, ll_strerror(err), err);
}


/** A failure without an SDK code: one masked line on stderr. */
void out_errorf(const char *fmt, ...)
{
	char raw[512], line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	out_mask(line, sizeof(line), raw);

	pthread_mutex_lock(&out_lock);
	if (redraw)
		fputs("\r\033[K", stdout);
	fflush(stdout);
	fprintf(stderr, "lianluo-agent: %s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}


static const char *dir_str(enum ll_direction dir)
{
	switch (dir) {

	case LL_DIRECTION_OUTBOUND: return "outbound";
	case LL_DIRECTION_INBOUND:  return "inbound";
	}

	return "?";
}


/**
 * Print the event line of a queued SDK event.  Login and logout results
 * print only their success; a failure is the caller's to report.
 *
 * @param ev  Event
 */
void out_print_ev(const struct agent_ev *ev)
{
	switch (ev->type) {

	case AEV_LOGIN:
		if (!ev->err)
			out_event("login ok aor=%s", ev->aor);
		break;

	case AEV_LOGOUT:
		if (!ev->err)
			out_event("logout ok");
		break;

	case AEV_CALL_RESULT:
		if (ev->err)
			out_event("call-result code=%d text=\"%s\"", ev->err,
				  ll_strerror(ev->err));
		break;

	case AEV_NEW_SESSION:
		out_event("new-session id=%s direction=%s from=%s to=%s",
			  ev->sid, dir_str(ev->dir), ev->from, ev->to);
		break;

	case AEV_ACCEPTED:
		out_event("accepted id=%s", ev->sid);
		break;

	case AEV_ENDED:
		out_event("ended reason=%s code=%d id=%s msg=\"%s\"",
			  ll_end_reason_str(ev->reason), ev->err, ev->sid,
			  ev->msg);
		break;

	case AEV_DTMF:
		out_event("dtmf digit=%c", ev->digit);
		break;

	case AEV_ERROR:
		out_event("error code=%d text=\"%s\" msg=\"%s\"", ev->err,
			  ll_strerror(ev->err), ev->msg);
		break;

	case AEV_WARNING:
		out_event("warning code=%d msg=\"%s\"", ev->err, ev->msg);
		break;

	case AEV_QUALITY:
		out_event("network-quality grade=%d", ev->err);
		break;

	case AEV_CONN_LOST:
		out_event("connection-lost");
		break;

	case AEV_RECONNECT:
		out_event("try-to-reconnect");
		break;

	case AEV_RECOVERY:
		out_event("connection-recovery");
		break;

	case AEV_SIGNAL:
		out_event("signal %d: hanging up and logging out", ev->err);
		break;

	case AEV_STATUS:
		status_print(&ev->st);
		break;

	case AEV_STATUS_NEXT:
		break;
	}
}
