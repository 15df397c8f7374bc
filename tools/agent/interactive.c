/**
 * @file agent/interactive.c  lianluo-agent: the terminal workstation
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One status line at the bottom (login state, agent status, call state,
 * masked remote number, mute), event lines scrolling above it, and single
 * keys:
 *
 *   a  answer          h  hang up        d  dial (prompts for a number)
 *   m  mute / unmute   q  quit           0-9 * #  DTMF during a call
 *   f  free            n  notReady       r  rest (prompts for a reason)
 *   x  after-call work +60 s (f ends it early)
 *
 * The terminal is put in non-canonical mode without echo (termios) and is
 * restored on every way out: a normal return, exit(), the first signal
 * (handled as "q") and a second signal (main.c calls the restore hook
 * before _exit).  ISIG stays on, so Ctrl-C is SIGINT as usual.
 *
 * The agent's status shown is the one the server told last (with the
 * rest reason and a status reserved for after the call); until the server
 * told one, what the workstation knows itself: offline, free (logged in,
 * no call) or busy (in a call).  A status asked for during a call is
 * reserved for after it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <lianluo/lianluo.h>
#include "agent.h"


enum call_state {
	CALL_IDLE = 0,
	CALL_RINGING,     /* an incoming call waits for "a" */
	CALL_DIALING,     /* our call is being set up       */
	CALL_TALKING,
};

enum {
	KEY_ESC       = 27,
	KEY_BACKSPACE = 127,
	NUMBER_MAX    = 64,
	ARRANGE_STEP_S = 60,
};

static struct {
	struct ll_sdk *sdk;
	struct termios saved;
	bool raw;
	bool logged_in;
	bool reconnecting;
	enum call_state call;
	bool muted;
	char remote[64];             /* masked */
	bool prompt;                 /* reading a number to dial */
	bool reason_prompt;          /* reading a rest reason (in number) */
	struct ll_agent_status_info st;
	bool st_known;               /* the server told a status */
	char number[NUMBER_MAX];
	size_t nlen;
	bool quit;
} ui;


static const char *call_str(enum call_state st)
{
	switch (st) {

	case CALL_IDLE:    return "idle";
	case CALL_RINGING: return "ringing";
	case CALL_DIALING: return "dialing";
	case CALL_TALKING: return "talking";
	}

	return "?";
}


/* The status line, drawn over the current line, without a newline. */
static void draw(void)
{
	const char *login = !ui.logged_in ? "logged out" :
		ui.reconnecting ? "reconnecting" : "logged in";
	const char *status = !ui.logged_in ? "offline" :
		ui.st_known ? ll_agent_status_str(ui.st.status) :
		ui.call == CALL_IDLE ? "free" : "busy";

	fputs("\r\033[K", stdout);
	if (ui.prompt) {
		printf("dial: %s_  (Enter calls, Esc cancels)", ui.number);
	}
	else if (ui.reason_prompt) {
		printf("rest reason: %s_  (Enter rests, Esc cancels)",
		       ui.number);
	}
	else {
		printf("[%s] %s", login, status);
		if (ui.logged_in && ui.st_known && ui.st.reason[0] &&
		    ui.st.status == LL_AGENT_REST)
			printf(" (%s)", ui.st.reason);
		if (ui.logged_in && ui.st_known &&
		    ui.st.pending != LL_AGENT_OFFLINE)
			printf(" -> %s", ll_agent_status_str(ui.st.pending));
		printf(" | call %s", call_str(ui.call));
		if (ui.call != CALL_IDLE)
			printf(" %s", ui.remote);
		if (ui.muted)
			fputs(" MUTED", stdout);
		fputs(" | a h d m 0-9*# f n r x q", stdout);
	}
	fflush(stdout);
}


static void term_restore(void)
{
	if (!ui.raw)
		return;
	ui.raw = false;
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &ui.saved);
	/* Leave the status line where it is, and start a fresh line. */
	(void)!write(STDOUT_FILENO, "\r\n", 2);
}


static int term_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &ui.saved))
		return errno;

	t = ui.saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return errno;

	ui.raw = true;
	atexit(term_restore);
	agent_fatal_signal_exit(term_restore);

	return 0;
}


static void report(const char *what, int err)
{
	out_fail(what, err);
	draw();
}


static void dial(void)
{
	int err;

	ui.prompt = false;
	if (!ui.nlen)
		return;

	err = ll_call(ui.sdk, ui.number, NULL, NULL, evq_call_handler, NULL);
	if (err) {
		report("call failed", err);
		return;
	}
	out_mask(ui.remote, sizeof(ui.remote), ui.number);
	ui.call = CALL_DIALING;
}


/* Ask for a status; during a call it is for after the call. */
static void status_key(enum ll_agent_status status, const char *reason)
{
	struct agent_status r;
	int err;

	memset(&r, 0, sizeof(r));
	r.status = status;
	if (reason)
		snprintf(r.reason, sizeof(r.reason), "%s", reason);

	err = status_apply(ui.sdk, &r, ui.call != CALL_IDLE);
	if (err)
		report("status", err);
}


static void prompt_key(int c)
{
	if (c == '\r' || c == '\n') {
		if (ui.reason_prompt) {
			ui.reason_prompt = false;
			if (ui.nlen)
				status_key(LL_AGENT_REST, ui.number);
		}
		else {
			dial();
		}
	}
	else if (c == KEY_ESC) {
		ui.prompt = false;
		ui.reason_prompt = false;
	}
	else if (c == KEY_BACKSPACE || c == '\b') {
		if (ui.nlen)
			ui.number[--ui.nlen] = '\0';
	}
	else if (c > ' ' && c < 127 && ui.nlen + 1 < sizeof(ui.number)) {
		ui.number[ui.nlen++] = (char)c;
		ui.number[ui.nlen] = '\0';
	}
}


static void key(int c)
{
	int err = 0;

	if (ui.prompt || ui.reason_prompt) {
		prompt_key(c);
		return;
	}

	switch (c) {

	case 'a':
		err = ll_answer(ui.sdk);
		if (err)
			report("answer", err);
		break;

	case 'h':
		err = ll_terminate(ui.sdk);
		if (err)
			report("hang up", err);
		break;

	case 'd':
		if (ui.call != CALL_IDLE) {
			report("dial", LL_ERR_BUSY);
			break;
		}
		ui.prompt = true;
		ui.nlen = 0;
		ui.number[0] = '\0';
		break;

	case 'm':
		err = ui.muted ? ll_unmute(ui.sdk) : ll_mute(ui.sdk);
		if (err)
			report(ui.muted ? "unmute" : "mute", err);
		else
			ui.muted = !ui.muted;
		break;

	case 'f':
		status_key(LL_AGENT_FREE, NULL);
		break;

	case 'n':
		status_key(LL_AGENT_NOT_READY, NULL);
		break;

	case 'r':
		ui.reason_prompt = true;
		ui.nlen = 0;
		ui.number[0] = '\0';
		break;

	case 'x':
		err = status_extend(ui.sdk, ARRANGE_STEP_S);
		if (err)
			report("after-call work", err);
		break;

	case 'q':
		ui.quit = true;
		break;

	default:
		if (strchr("0123456789*#", c) && c) {
			if (ui.call != CALL_TALKING) {
				report("DTMF", LL_ERR_NO_CALL);
				break;
			}
			err = ll_send_dtmf(ui.sdk, (char)c);
			if (err)
				report("DTMF", err);
		}
		break;
	}
}


static void handle(const struct agent_ev *ev)
{
	out_print_ev(ev);

	switch (ev->type) {

	case AEV_NEW_SESSION:
		ui.call = ev->dir == LL_DIRECTION_INBOUND ?
			CALL_RINGING : CALL_DIALING;
		out_mask(ui.remote, sizeof(ui.remote),
			 ev->dir == LL_DIRECTION_INBOUND ? ev->from : ev->to);
		if (ui.call == CALL_RINGING)
			(void)!write(STDOUT_FILENO, "\a", 1);
		break;

	case AEV_ACCEPTED:
		ui.call = CALL_TALKING;
		break;

	case AEV_ENDED:
		ui.call = CALL_IDLE;
		ui.muted = false;
		ui.remote[0] = '\0';
		break;

	case AEV_CALL_RESULT:
		if (ev->err && ui.call == CALL_DIALING) {
			ui.call = CALL_IDLE;
			report("call failed", ev->err);
		}
		break;

	case AEV_CONN_LOST:
	case AEV_RECONNECT:
		ui.reconnecting = true;
		break;

	case AEV_RECOVERY:
		ui.reconnecting = false;
		break;

	case AEV_SIGNAL:
		ui.quit = true;
		break;

	case AEV_STATUS:
		ui.st = ev->st;
		ui.st_known = true;
		break;

	default:
		break;
	}
}


static void drain_events(void)
{
	struct agent_ev ev;

	evq_drain_wake();
	while (evq_pop(&ev, 0))
		handle(&ev);
}


static void read_keys(void)
{
	unsigned char buf[32];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n == 0) {
		ui.quit = true;   /* the terminal went away */
		return;
	}
	for (i = 0; i < n && !ui.quit; i++)
		key(buf[i]);
}


/**
 * Run the workstation until "q", a signal or the end of the terminal.
 *
 * @param sdk  Shared instance, listener set
 * @param a    Options
 *
 * @return Exit status
 */
int interactive_run(struct ll_sdk *sdk, const struct agent_args *a)
{
	int err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		out_errorf("the workstation needs a terminal; for a bot use "
			   "--auto-answer or --call");
		return AGENT_EXIT_USAGE;
	}

	memset(&ui, 0, sizeof(ui));
	ui.sdk = sdk;

	/* The SDK's log lines would tear the status line apart. */
	if (a->log_level < 0)
		(void)ll_set_console_enabled(sdk, false);

	if (agent_login(sdk, a, AGENT_LOGIN_TIMEOUT_MS, NULL))
		return AGENT_EXIT_FAIL;
	ui.logged_in = true;

	err = term_raw();
	if (err) {
		out_errorf("cannot set up the terminal: %s", strerror(err));
		agent_logout(sdk, AGENT_LOGOUT_TIMEOUT_MS);
		return AGENT_EXIT_FAIL;
	}
	out_set_redraw(draw);
	draw();

	while (!ui.quit) {
		struct pollfd fds[2] = {
			{.fd = STDIN_FILENO, .events = POLLIN},
			{.fd = evq_wake_fd(), .events = POLLIN},
		};

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			out_errorf("poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents)
			drain_events();
		if (fds[0].revents & (POLLHUP | POLLERR))
			ui.quit = true;
		else if (fds[0].revents)
			read_keys();
		draw();
	}

	out_set_redraw(NULL);
	term_restore();

	if (ui.call != CALL_IDLE)
		agent_hangup(sdk, AGENT_HANGUP_TIMEOUT_MS);
	agent_logout(sdk, AGENT_LOGOUT_TIMEOUT_MS);

	return AGENT_EXIT_OK;
}
