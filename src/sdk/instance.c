/**
 * @file sdk/instance.c  The shared instance, its thread and command queue
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: see sdk.h for the thread model.  The registry below (inst_lock)
 * holds the one live instance and counts the public calls in flight on
 * it, so that destroy waits for them instead of freeing under their feet.
 * Destroy then runs the stop command on the SDK thread (ends the call,
 * unregisters, waits briefly for the last SIP transactions), joins the
 * thread and frees the instance.  Lock order: inst_lock, then sdk->lock.
 */
#include <string.h>
#include <stdlib.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "common/log.h"
#include "audio/stream.h"
#include "sdk.h"


enum {
	STOP_POLL_MS  = 20,
	STOP_WAIT_MS  = 1500,   /* for un-REGISTER and BYE to complete */
	MAX_FDS       = 4096,
};

static pthread_mutex_t inst_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inst_cond = PTHREAD_COND_INITIALIZER;
static struct ll_sdk *inst;       /* the live instance */


bool ll__on_thread(const struct ll_sdk *sdk)
{
	return pthread_equal(pthread_self(), sdk->tid) != 0;
}


/* Run every queued command; called on the SDK thread. */
static void drain(struct ll_sdk *sdk)
{
	for (;;) {
		struct ll__cmd *cmd;
		struct le *le;
		int ret;

		pthread_mutex_lock(&sdk->lock);
		le = list_head(&sdk->cmdq);
		if (le)
			list_unlink(le);
		pthread_mutex_unlock(&sdk->lock);

		if (!le)
			break;

		cmd = le->data;
		if (cmd->async) {
			/* The handler owns the command from here on. */
			(void)cmd->h(sdk, cmd->arg);
			continue;
		}

		ret = cmd->h(sdk, cmd->arg);

		/* The waiter may return (and its stack frame go) as soon as
		 * it sees done, so cmd is not touched after the unlock. */
		pthread_mutex_lock(&sdk->lock);
		cmd->ret = ret;
		cmd->done = true;
		pthread_cond_broadcast(&sdk->cond);
		pthread_mutex_unlock(&sdk->lock);
	}
}


static void mqueue_handler(int id, void *data, void *arg)
{
	(void)id;
	(void)data;

	drain(arg);
}


static void push(struct ll_sdk *sdk, struct ll__cmd *cmd)
{
	int err;

	pthread_mutex_lock(&sdk->lock);
	list_append(&sdk->cmdq, &cmd->le, cmd);
	pthread_mutex_unlock(&sdk->lock);

	/* Only a wake-up: with a full pipe (EAGAIN) the loop is awake and
	 * will find the command in the list anyway. */
	err = mqueue_push(sdk->mq, 0, NULL);
	if (err && err != EAGAIN)
		log_warn("sdk: cannot wake the SDK thread: %m", err);
}


/**
 * Hand an asynchronous command to the SDK thread (from any thread).  The
 * command is embedded in the caller's object, so posting cannot fail.
 *
 * @param sdk  Instance
 * @param cmd  Command storage, owned by the handler from now on
 * @param h    Handler, run on the SDK thread
 * @param arg  Handler argument
 */
void ll__post(struct ll_sdk *sdk, struct ll__cmd *cmd, ll__cmd_h *h,
	      void *arg)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->h = h;
	cmd->arg = arg;
	cmd->async = true;

	push(sdk, cmd);
}


static int enter(struct ll_sdk *sdk)
{
	int err = 0;

	if (!ll__consented())
		return LL_ERR_CONSENT_REQUIRED;

	pthread_mutex_lock(&inst_lock);
	if (!sdk || sdk != inst || sdk->closing)
		err = LL_ERR_INVALID_ARGUMENT;
	else
		++sdk->users;
	pthread_mutex_unlock(&inst_lock);

	return err;
}


static void leave(struct ll_sdk *sdk)
{
	pthread_mutex_lock(&inst_lock);
	if (--sdk->users == 0)
		pthread_cond_broadcast(&inst_cond);
	pthread_mutex_unlock(&inst_lock);
}


/* Run h on the SDK thread and wait for its result. */
static int exec(struct ll_sdk *sdk, ll__cmd_h *h, void *arg)
{
	struct ll__cmd cmd;

	if (ll__on_thread(sdk))
		return h(sdk, arg);

	memset(&cmd, 0, sizeof(cmd));
	cmd.h = h;
	cmd.arg = arg;

	push(sdk, &cmd);

	pthread_mutex_lock(&sdk->lock);
	while (!cmd.done)
		pthread_cond_wait(&sdk->cond, &sdk->lock);
	pthread_mutex_unlock(&sdk->lock);

	return cmd.ret;
}


/**
 * Carry out a public call on the SDK thread: directly when already there
 * (inside a callback), else posted and waited for.
 *
 * @param sdk  Handle from the application
 * @param h    Command handler; returns a public code
 * @param arg  Handler argument (may live on the caller's stack)
 *
 * @return The handler's result, or a public error code
 */
int ll__run(struct ll_sdk *sdk, ll__cmd_h *h, void *arg)
{
	int ret;

	ret = enter(sdk);
	if (ret)
		return ret;

	ret = exec(sdk, h, arg);

	leave(sdk);

	return ret;
}


/**
 * Carry out a public call whose result comes later (a server's answer):
 * h starts it on the SDK thread, and when h returns 0 it has promised
 * that ll__wait_done(w) will be called exactly once.  Not from the SDK
 * thread, which would wait for itself.  The instance stays in use (destroy
 * waits) until the result is in.
 *
 * @param sdk  Handle from the application
 * @param h    Command handler; returns a public code
 * @param arg  Handler argument (may live on the caller's stack)
 * @param w    Where the result is reported
 *
 * @return The handler's error, the later result, or a public error code
 */
int ll__run_wait(struct ll_sdk *sdk, ll__cmd_h *h, void *arg,
		 struct ll__wait *w)
{
	int ret;

	ret = enter(sdk);
	if (ret)
		return ret;

	if (ll__on_thread(sdk)) {
		leave(sdk);
		return LL_ERR_IN_CALLBACK;
	}

	memset(w, 0, sizeof(*w));
	ret = exec(sdk, h, arg);
	if (!ret) {
		pthread_mutex_lock(&sdk->lock);
		while (!w->done)
			pthread_cond_wait(&sdk->cond, &sdk->lock);
		ret = w->ret;
		pthread_mutex_unlock(&sdk->lock);
	}

	leave(sdk);

	return ret;
}


/**
 * Report the result a ll__run_wait() caller waits for; w is not touched
 * afterwards (the caller's frame may be gone).
 *
 * @param sdk  Instance
 * @param w    The waiter
 * @param ret  Public code
 */
void ll__wait_done(struct ll_sdk *sdk, struct ll__wait *w, int ret)
{
	pthread_mutex_lock(&sdk->lock);
	w->ret = ret;
	w->done = true;
	pthread_cond_broadcast(&sdk->cond);
	pthread_mutex_unlock(&sdk->lock);
}


static void stop_poll_handler(void *arg)
{
	struct ll_sdk *sdk = arg;
	bool late = tmr_jiffies() >= sdk->stop_deadline;

	ll__retire_flush(sdk, late);

	if (!late && !list_isempty(&sdk->retired)) {
		tmr_start(&sdk->stop_tmr, STOP_POLL_MS, stop_poll_handler,
			  sdk);
		return;
	}

	re_cancel();
}


/* The first half of destroy, on the SDK thread: silence, then end. */
static int stop_cmd(struct ll_sdk *sdk, void *arg)
{
	(void)arg;

	/* Events queued now would reach an application that is tearing
	 * down; destroy is documented to call no callback. */
	sdk->stopping = true;
	ll__ev_flush(sdk);

	ll__call_end_all(sdk);
	ll__acct_end(sdk, LL_ERR_NOT_LOGGED_IN);
	ll__ev_flush(sdk);

	sdk->stop_deadline = tmr_jiffies() + STOP_WAIT_MS;
	tmr_start(&sdk->stop_tmr, 0, stop_poll_handler, sdk);

	return 0;
}


static void *sdk_thread(void *arg)
{
	struct ll_sdk *sdk = arg;
	bool thread_init = false, lib_init = false;
	int err;

	/* A loop of our own: the application may run libre's global one. */
	err = re_thread_init();
	if (err)
		goto started;
	thread_init = true;

	err = libre_init();
	if (err)
		goto started;
	lib_init = true;

	err = fd_setsize(MAX_FDS);
	if (err)
		goto started;

	tmr_init(&sdk->ev_tmr);
	tmr_init(&sdk->stop_tmr);
	tmr_init(&sdk->retire_tmr);

	err = mqueue_alloc(&sdk->mq, mqueue_handler, sdk);

 started:
	pthread_mutex_lock(&sdk->lock);
	sdk->started = true;
	sdk->start_err = err;
	pthread_cond_broadcast(&sdk->cond);
	pthread_mutex_unlock(&sdk->lock);

	if (!err) {
		log_info("sdk: liblianluo %s started", ll_version());

		err = re_main(NULL);
		if (err)
			log_warn("sdk: event loop ended: %m", err);

		/* Late asynchronous results (login workers are joined by
		 * then) find sdk->stopping and clean up only. */
		drain(sdk);

		ll__call_end_all(sdk);
		ll__acct_end(sdk, LL_ERR_NOT_LOGGED_IN);
		ll__retire_flush(sdk, true);
		ll__ev_flush(sdk);
		tmr_cancel(&sdk->ev_tmr);
		tmr_cancel(&sdk->stop_tmr);
		tmr_cancel(&sdk->retire_tmr);
		log_info("sdk: stopped");
	}

	sdk->mq = mem_deref(sdk->mq);

	if (lib_init)
		libre_close();
	if (thread_init)
		re_thread_close();

	return NULL;
}


static void sdk_free(struct ll_sdk *sdk)
{
	pthread_mutex_destroy(&sdk->lock);
	pthread_cond_destroy(&sdk->cond);
	free(sdk);
}


static struct ll_sdk *sdk_create(void)
{
	struct ll_sdk *sdk;
	int err;

	sdk = calloc(1, sizeof(*sdk));
	if (!sdk)
		return NULL;

	pthread_mutex_init(&sdk->lock, NULL);
	pthread_cond_init(&sdk->cond, NULL);
	list_init(&sdk->cmdq);
	list_init(&sdk->evq);
	list_init(&sdk->retired);

	str_ncpy(sdk->audio.driver, "null", sizeof(sdk->audio.driver));
	sdk->audio.capture_volume = 100;
	sdk->audio.playout_volume = 100;

	log_set_tag("liblianluo");

	err = pthread_create(&sdk->tid, NULL, sdk_thread, sdk);
	if (err) {
		sdk_free(sdk);
		return NULL;
	}

	pthread_mutex_lock(&sdk->lock);
	while (!sdk->started)
		pthread_cond_wait(&sdk->cond, &sdk->lock);
	err = sdk->start_err;
	pthread_mutex_unlock(&sdk->lock);

	if (err) {
		pthread_join(sdk->tid, NULL);
		sdk_free(sdk);
		return NULL;
	}

	return sdk;
}


LL_API struct ll_sdk *ll_shared_instance(void)
{
	struct ll_sdk *sdk;

	pthread_mutex_lock(&inst_lock);

	if (!ll__consented()) {
		sdk = NULL;
		goto out;
	}

	if (!inst)
		inst = sdk_create();
	sdk = inst;

 out:
	pthread_mutex_unlock(&inst_lock);
	return sdk;
}


static int instance_destroy(void)
{
	struct ll_sdk *sdk;

	pthread_mutex_lock(&inst_lock);

	sdk = inst;
	if (!sdk) {
		pthread_mutex_unlock(&inst_lock);
		return 0;
	}

	/* On the SDK thread we are inside a callback: it cannot join
	 * itself, and the objects that called us would be freed. */
	if (ll__on_thread(sdk)) {
		pthread_mutex_unlock(&inst_lock);
		return LL_ERR_IN_CALLBACK;
	}

	sdk->closing = true;
	inst = NULL;

	while (sdk->users)
		pthread_cond_wait(&inst_cond, &inst_lock);

	pthread_mutex_unlock(&inst_lock);

	(void)exec(sdk, stop_cmd, NULL);
	pthread_join(sdk->tid, NULL);
	sdk_free(sdk);

	/* The log settings belong to the instance. */
	ll__log_reset();

	return 0;
}


LL_API int ll_destroy_shared_instance(void)
{
	if (!ll__consented())
		return LL_ERR_CONSENT_REQUIRED;

	return instance_destroy();
}


/* End whatever instance there is, consent or not (withdrawal). */
void ll__instances_end(void)
{
	(void)instance_destroy();
	ll__log_reset();
}
