/**
 * @file sdk/ev.c  Queued events: every application callback starts here
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Events are queued by the SIP and audio handlers and dispatched from a
 * zero timer, so a callback never runs inside a libre handler and may
 * call any public function (terminate, logout) that frees the objects
 * that raised the event.  Dispatch is in order, one event at a time.
 */
#include <string.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"


static void ev_destructor(void *arg)
{
	struct ll__ev *ev = arg;

	list_unlink(&ev->le);
	mem_deref(ev->hdrs);
}


static void dispatch(struct ll_sdk *sdk, struct ll__ev *ev)
{
	const struct ll_listener l = sdk->lsnr;
	const char *msg = ev->msg[0] ? ev->msg : NULL;

	switch (ev->type) {

	case LL__EV_ERROR:
		if (l.on_error)
			l.on_error(ev->err, msg, l.arg);
		break;

	case LL__EV_WARNING:
		if (l.on_warning)
			l.on_warning(ev->err, msg, l.arg);
		break;

	case LL__EV_NEW_SESSION:
		if (l.on_new_session) {
			struct ll_session_info info;

			info.session_id = ev->sid;
			info.direction = ev->dir;
			info.from_user = ev->from;
			info.to_user = ev->to;
			info.remote_aor = ev->aor;
			info.custom_headers = ev->hdrs ? ev->hdrs : "{}";
			l.on_new_session(&info, l.arg);
		}
		break;

	case LL__EV_ACCEPTED:
		if (l.on_accepted)
			l.on_accepted(ev->sid, l.arg);
		break;

	case LL__EV_ENDED:
		if (l.on_ended)
			l.on_ended(ev->sid, ev->reason, ev->err, msg, l.arg);
		break;

	case LL__EV_DTMF:
		if (l.on_dtmf)
			l.on_dtmf(ev->sid, ev->digit, l.arg);
		break;

	case LL__EV_VOLUME:
		if (l.on_audio_volume) {
			ev->vol.session_id = ev->sid;
			l.on_audio_volume(&ev->vol, l.arg);
		}
		break;

	case LL__EV_QUALITY:
		if (l.on_network_quality)
			l.on_network_quality(ev->sid, ev->quality, l.arg);
		if (l.on_statistics) {
			ev->st.session_id = ev->sid;
			ev->st.codec = ev->codec;
			l.on_statistics(&ev->st, l.arg);
		}
		break;

	case LL__EV_CONN_LOST:
		if (l.on_connection_lost)
			l.on_connection_lost(l.arg);
		break;

	case LL__EV_RECONNECT:
		if (l.on_try_to_reconnect)
			l.on_try_to_reconnect(l.arg);
		break;

	case LL__EV_RECOVERY:
		if (l.on_connection_recovery)
			l.on_connection_recovery(l.arg);
		break;

	case LL__EV_LOGIN:
		if (ev->loginh) {
			struct ll_login_info info;

			info.user_id = ev->from;
			info.aor = ev->aor;
			info.diagnostic = ev->msg;
			ev->loginh(ev->err, &info, ev->arg);
		}
		break;

	case LL__EV_RESULT:
		if (ev->resh)
			ev->resh(ev->err, msg, ev->arg);
		break;

	case LL__EV_STATUS:
		if (l.on_agent_status_changed)
			l.on_agent_status_changed(&ev->status, l.arg);
		break;
	}
}


static void ev_handler(void *arg)
{
	struct ll_sdk *sdk = arg;

	/* One at a time: a callback may queue more, or flush the queue
	 * (destroy cannot run here, but logout can). */
	while (!sdk->stopping) {
		struct le *le = list_head(&sdk->evq);
		struct ll__ev *ev;

		if (!le)
			break;

		ev = le->data;
		list_unlink(le);
		dispatch(sdk, ev);
		mem_deref(ev);
	}
}


/**
 * Queue an event for the application; the caller fills it in before it
 * returns to the loop.
 *
 * @param sdk   Instance
 * @param type  Kind of event
 *
 * @return The event, or NULL when stopping or out of memory
 */
struct ll__ev *ll__ev_new(struct ll_sdk *sdk, enum ll__ev_type type)
{
	struct ll__ev *ev;

	if (sdk->stopping)
		return NULL;

	ev = mem_zalloc(sizeof(*ev), ev_destructor);
	if (!ev)
		return NULL;

	ev->type = type;
	list_append(&sdk->evq, &ev->le, ev);

	if (!tmr_isrunning(&sdk->ev_tmr))
		tmr_start(&sdk->ev_tmr, 0, ev_handler, sdk);

	return ev;
}


/** Drop every queued event (the instance is going away). */
void ll__ev_flush(struct ll_sdk *sdk)
{
	list_flush(&sdk->evq);
	tmr_cancel(&sdk->ev_tmr);
}
