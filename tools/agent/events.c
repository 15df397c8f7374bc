/**
 * @file agent/events.c  lianluo-agent: SDK callbacks into an event queue
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The listener's callbacks run on the SDK thread and must not block, and
 * the strings they get live only during the call.  So each one copies
 * what it got into a struct agent_ev, appends it to a FIFO under a mutex
 * and wakes the main thread twice over: through a condition variable (for
 * bot.c, which waits on the queue alone) and through a pipe (for
 * interactive.c, which polls the terminal and the queue together).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <lianluo/lianluo.h>
#include "agent.h"


static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct agent_ev *head;
	struct agent_ev *tail;
	int pipe[2];
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.pipe = {-1, -1},
};


/** Milliseconds on the monotonic clock. */
int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void copy(char *dst, size_t sz, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, sz, "%s", src);
}


/**
 * Set up the queue; call once, before the SDK starts.
 *
 * @return 0 if success, otherwise an errno value
 */
int evq_init(void)
{
	pthread_condattr_t attr;
	int err, i;

	err = pthread_condattr_init(&attr);
	if (err)
		return err;
	/* Deadlines are monotonic: a clock change must not stretch them. */
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(&q.cond, &attr);
	pthread_condattr_destroy(&attr);
	if (err)
		return err;

	if (pipe(q.pipe))
		return errno;
	for (i = 0; i < 2; i++) {
		int fl = fcntl(q.pipe[i], F_GETFL);

		if (fl < 0 || fcntl(q.pipe[i], F_SETFL, fl | O_NONBLOCK) ||
		    fcntl(q.pipe[i], F_SETFD, FD_CLOEXEC))
			return errno;
	}

	return 0;
}


/** Free what is still queued; the SDK must be gone already. */
void evq_close(void)
{
	pthread_mutex_lock(&q.lock);
	while (q.head) {
		struct agent_ev *ev = q.head;

		q.head = ev->next;
		free(ev);
	}
	q.tail = NULL;
	pthread_mutex_unlock(&q.lock);
}


/**
 * Append a copy of ev; any thread, and never blocks for long.  An event
 * that cannot be allocated is dropped with a line on stderr: the program
 * then notices through its own time-outs.
 *
 * @param ev  Event to copy
 */
void evq_push(const struct agent_ev *ev)
{
	struct agent_ev *e = malloc(sizeof(*e));
	ssize_t n;

	if (!e) {
		fputs("lianluo-agent: out of memory, an event is lost\n",
		      stderr);
		return;
	}
	*e = *ev;
	e->next = NULL;

	pthread_mutex_lock(&q.lock);
	if (q.tail)
		q.tail->next = e;
	else
		q.head = e;
	q.tail = e;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);

	/* A full pipe means the reader is awake anyway. */
	n = write(q.pipe[1], "e", 1);
	(void)n;
}


/**
 * Take the oldest event, waiting for one until deadline_ms.
 *
 * @param ev           Receives the event
 * @param deadline_ms  Monotonic deadline (now_ms()); < 0 waits for ever,
 *                     0 does not wait
 *
 * @return true with an event, false when the deadline passed
 */
bool evq_pop(struct agent_ev *ev, int64_t deadline_ms)
{
	struct agent_ev *e;

	pthread_mutex_lock(&q.lock);
	while (!q.head && deadline_ms != 0) {
		struct timespec ts;

		if (deadline_ms < 0) {
			pthread_cond_wait(&q.cond, &q.lock);
			continue;
		}
		if (now_ms() >= deadline_ms)
			break;
		ts.tv_sec = (time_t)(deadline_ms / 1000);
		ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
		(void)pthread_cond_timedwait(&q.cond, &q.lock, &ts);
	}
	e = q.head;
	if (e) {
		q.head = e->next;
		if (!q.head)
			q.tail = NULL;
	}
	pthread_mutex_unlock(&q.lock);

	if (!e)
		return false;

	*ev = *e;
	ev->next = NULL;
	free(e);
	return true;
}


/** A descriptor that becomes readable when an event is queued. */
int evq_wake_fd(void)
{
	return q.pipe[0];
}


/** Empty the wake-up pipe (before draining the queue). */
void evq_drain_wake(void)
{
	char buf[64];

	while (read(q.pipe[0], buf, sizeof(buf)) > 0)
		;
}


static void push_simple(enum agent_ev_type type, int err, const char *msg)
{
	struct agent_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.err = err;
	copy(ev.msg, sizeof(ev.msg), msg);
	evq_push(&ev);
}


static void error_handler(int err, const char *msg, void *arg)
{
	(void)arg;
	push_simple(AEV_ERROR, err, msg);
}


static void warning_handler(int code, const char *msg, void *arg)
{
	(void)arg;
	push_simple(AEV_WARNING, code, msg);
}


static void new_session_handler(const struct ll_session_info *info,
				void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_NEW_SESSION;
	if (info) {
		ev.dir = info->direction;
		copy(ev.sid, sizeof(ev.sid), info->session_id);
		copy(ev.from, sizeof(ev.from), info->from_user);
		copy(ev.to, sizeof(ev.to), info->to_user);
		copy(ev.aor, sizeof(ev.aor), info->remote_aor);
	}
	evq_push(&ev);
}


static void accepted_handler(const char *session_id, void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_ACCEPTED;
	copy(ev.sid, sizeof(ev.sid), session_id);
	evq_push(&ev);
}


static void ended_handler(const char *session_id, enum ll_end_reason reason,
			  int sip_code, const char *msg, void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_ENDED;
	ev.reason = reason;
	ev.err = sip_code;
	copy(ev.sid, sizeof(ev.sid), session_id);
	copy(ev.msg, sizeof(ev.msg), msg);
	evq_push(&ev);
}


static void dtmf_handler(const char *session_id, char digit, void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_DTMF;
	ev.digit = digit;
	copy(ev.sid, sizeof(ev.sid), session_id);
	evq_push(&ev);
}


static void quality_handler(const char *session_id, int quality, void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_QUALITY;
	ev.err = quality;
	copy(ev.sid, sizeof(ev.sid), session_id);
	evq_push(&ev);
}


static void conn_lost_handler(void *arg)
{
	(void)arg;
	push_simple(AEV_CONN_LOST, 0, NULL);
}


static void reconnect_handler(void *arg)
{
	(void)arg;
	push_simple(AEV_RECONNECT, 0, NULL);
}


static void recovery_handler(void *arg)
{
	(void)arg;
	push_simple(AEV_RECOVERY, 0, NULL);
}


static void status_handler(const struct ll_agent_status_info *info,
			   void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_STATUS;
	if (info)
		ev.st = *info;
	evq_push(&ev);
}


/** Result of ll_login_agent() / ll_login_sip(). */
void evq_login_handler(int err, const struct ll_login_info *info,
		       void *arg)
{
	struct agent_ev ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_LOGIN;
	ev.err = err;
	if (info) {
		copy(ev.aor, sizeof(ev.aor), info->aor);
		copy(ev.msg, sizeof(ev.msg), info->diagnostic);
		copy(ev.to, sizeof(ev.to), info->user_id);
	}
	evq_push(&ev);
}


/** Result of ll_logout(). */
void evq_logout_handler(int err, const char *msg, void *arg)
{
	(void)arg;
	push_simple(AEV_LOGOUT, err, msg);
}


/** Result of ll_call(). */
void evq_call_handler(int err, const char *msg, void *arg)
{
	(void)arg;
	push_simple(AEV_CALL_RESULT, err, msg);
}


/**
 * Fill a listener whose every callback feeds the queue.
 *
 * @param l  Listener to fill
 */
void evq_listener(struct ll_listener *l)
{
	memset(l, 0, sizeof(*l));
	l->on_error = error_handler;
	l->on_warning = warning_handler;
	l->on_new_session = new_session_handler;
	l->on_accepted = accepted_handler;
	l->on_ended = ended_handler;
	l->on_dtmf = dtmf_handler;
	l->on_network_quality = quality_handler;
	l->on_connection_lost = conn_lost_handler;
	l->on_try_to_reconnect = reconnect_handler;
	l->on_connection_recovery = recovery_handler;
	l->on_agent_status_changed = status_handler;
}
