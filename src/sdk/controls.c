/**
 * @file sdk/controls.c  Listener, in-call controls and audio settings
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Arguments are checked here, on the caller's thread; the state they act
 * on (the call, the stored audio settings) is touched only by the
 * commands, on the SDK thread.  Audio settings are stored and applied to
 * the current stream when there is one, and to every later one.
 */
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"


enum {
	VOLUME_MAX     = 150,
	VOL_EVAL_MIN   = 100,
	VOL_EVAL_MAX   = 5000,
	PATH_MAX_LEN   = 1024,
};

struct driver_args {
	const char *driver;
	const char *capture;
	const char *playout;
};

struct music_args {
	const char *path;
	int loops;
};


/* ---- Listener ---------------------------------------------------------- */

static int listener_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct ll_listener *l = arg;

	if (l)
		sdk->lsnr = *l;
	else
		memset(&sdk->lsnr, 0, sizeof(sdk->lsnr));

	return 0;
}


LL_API int ll_set_listener(struct ll_sdk *sdk, const struct ll_listener *l)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, listener_cmd, (void *)l);
}


/* ---- In-call controls ------------------------------------------------- */

static int dtmf_cmd(struct ll_sdk *sdk, void *arg)
{
	const char digit = *(const char *)arg;
	int err;

	if (!sdk->call)
		return LL_ERR_NO_CALL;
	if (!sdk->call->media)
		return LL_ERR_WRONG_STATE;

	err = ll__stream_send_dtmf(sdk->call->strm, digit);

	return err ? ll__code(err) : 0;
}


LL_API int ll_send_dtmf(struct ll_sdk *sdk, char digit)
{
	char d;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	/* RFC 4733 events 0-15: 0-9 * # A-D. */
	d = (char)toupper((unsigned char)digit);
	if (!d || !strchr("0123456789*#ABCD", d))
		return LL_ERR_BAD_DTMF;

	return ll__run(sdk, dtmf_cmd, &d);
}


static int mute_cmd(struct ll_sdk *sdk, void *arg)
{
	const bool mute = *(const bool *)arg;

	if (!sdk->call)
		return LL_ERR_NO_CALL;

	sdk->call->muted = mute;
	ll__stream_set_mute(sdk->call->strm, mute);
	log_info("sdk: call %s: %s", sdk->call->sid,
		 mute ? "muted" : "unmuted");

	return 0;
}


LL_API int ll_mute(struct ll_sdk *sdk)
{
	bool mute = true;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, mute_cmd, &mute);
}


LL_API int ll_unmute(struct ll_sdk *sdk)
{
	bool mute = false;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, mute_cmd, &mute);
}


static int music_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct music_args *a = arg;
	int err;

	if (!sdk->call)
		return LL_ERR_NO_CALL;

	if (!a) {
		ll__stream_stop_music(sdk->call->strm);
		return 0;
	}

	err = ll__stream_play_music(sdk->call->strm, a->path, a->loops);
	if (err == ENOENT || err == EACCES || err == EBADMSG ||
	    err == ENOTSUP)
		return LL_ERR_FILE;

	return err ? ll__code(err) : 0;
}


LL_API int ll_start_play_music(struct ll_sdk *sdk, const char *path,
			       int loops)
{
	struct music_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!ll__str_ok(path, PATH_MAX_LEN))
		return LL_ERR_INVALID_ARGUMENT;

	if (access(path, R_OK))
		return LL_ERR_FILE;

	a.path = path;
	a.loops = loops;

	return ll__run(sdk, music_cmd, &a);
}


LL_API int ll_stop_play_music(struct ll_sdk *sdk)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	return ll__run(sdk, music_cmd, NULL);
}


/* ---- Audio settings --------------------------------------------------- */

static int driver_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct driver_args *a = arg;
	struct ll__audio_cfg *cfg = &sdk->audio;

	str_ncpy(cfg->driver, a->driver, sizeof(cfg->driver));
	str_ncpy(cfg->capture, a->capture ? a->capture : "",
		 sizeof(cfg->capture));
	str_ncpy(cfg->playout, a->playout ? a->playout : "",
		 sizeof(cfg->playout));

	return 0;
}


LL_API int ll_set_audio_driver(struct ll_sdk *sdk, const char *driver,
			       const char *capture, const char *playout)
{
	struct driver_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!ll__str_ok(driver, sizeof(sdk->audio.driver)))
		return LL_ERR_INVALID_ARGUMENT;

	if (strcmp(driver, "file") && strcmp(driver, "null") &&
	    strcmp(driver, "alsa"))
		return LL_ERR_NOT_SUPPORTED;

	if ((capture && *capture &&
	     !ll__str_ok(capture, sizeof(sdk->audio.capture))) ||
	    (playout && *playout &&
	     !ll__str_ok(playout, sizeof(sdk->audio.playout))))
		return LL_ERR_INVALID_ARGUMENT;

	a.driver = driver;
	a.capture = capture;
	a.playout = playout;

	return ll__run(sdk, driver_cmd, &a);
}


struct volume_args {
	bool capture;
	bool set;
	uint32_t *volume;
};


static int volume_cmd(struct ll_sdk *sdk, void *arg)
{
	const struct volume_args *a = arg;
	uint32_t *v = a->capture ? &sdk->audio.capture_volume :
		&sdk->audio.playout_volume;

	if (!a->set) {
		*a->volume = *v;
		return 0;
	}

	*v = *a->volume;

	if (sdk->call)
		ll__stream_set_volume(sdk->call->strm,
				      sdk->audio.capture_volume,
				      sdk->audio.playout_volume);

	return 0;
}


static int volume(struct ll_sdk *sdk, bool capture, bool set,
		  uint32_t *volume)
{
	struct volume_args a;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!volume || (set && *volume > VOLUME_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	a.capture = capture;
	a.set = set;
	a.volume = volume;

	return ll__run(sdk, volume_cmd, &a);
}


LL_API int ll_set_capture_volume(struct ll_sdk *sdk, uint32_t v)
{
	return volume(sdk, true, true, &v);
}


LL_API int ll_set_playout_volume(struct ll_sdk *sdk, uint32_t v)
{
	return volume(sdk, false, true, &v);
}


LL_API int ll_get_capture_volume(struct ll_sdk *sdk, uint32_t *v)
{
	return volume(sdk, true, false, v);
}


LL_API int ll_get_playout_volume(struct ll_sdk *sdk, uint32_t *v)
{
	return volume(sdk, false, false, v);
}


LL_API int ll_set_audio_route(struct ll_sdk *sdk, enum ll_audio_route route)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (route != LL_AUDIO_ROUTE_SPEAKERPHONE &&
	    route != LL_AUDIO_ROUTE_EARPIECE)
		return LL_ERR_INVALID_ARGUMENT;

	/* A desktop has no earpiece: the route is the sound card's. */
	return LL_ERR_NOT_SUPPORTED;
}


static int vol_eval_cmd(struct ll_sdk *sdk, void *arg)
{
	const uint32_t ms = *(const uint32_t *)arg;
	int err;

	if (sdk->call) {
		err = ll__stream_enable_volume(sdk->call->strm, ms);
		if (err)
			return ll__code(err);
	}

	sdk->vol_interval_ms = ms;

	return 0;
}


LL_API int ll_enable_audio_volume_evaluation(struct ll_sdk *sdk,
					     uint32_t interval_ms)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (interval_ms &&
	    (interval_ms < VOL_EVAL_MIN || interval_ms > VOL_EVAL_MAX))
		return LL_ERR_INVALID_ARGUMENT;

	return ll__run(sdk, vol_eval_cmd, &interval_ms);
}
