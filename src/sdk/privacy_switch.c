/**
 * @file sdk/privacy_switch.c  Switches of the optional personal-data
 *                             items, the app's foreground/background
 *                             state (DESIGN.md, rules 3 and 4)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The switches are process-wide (like the consent) and back to their
 * defaults (the disclosure table's) on withdrawal.  The places that read
 * an item ask here first and record the read in the ledger:
 * ll__privacy_network_read() and ll__privacy_client_json() at login,
 * ll__privacy_mic_check() at ll_call() and ll_answer(), log.c for log
 * files.
 *
 * Background: the SDK's own requests are the REGISTER refresh, the
 * OPTIONS keepalive and the reconnection attempts (reconnect.c); they are
 * suspended, not replaced by an un-REGISTER (an un-REGISTER would itself
 * be a request of the SDK's own, and a suspended registration simply
 * expires on the server).  Foreground registers again at once.
 */
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/utsname.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/log.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


static pthread_mutex_t sw_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sw_set[LL_PRIVACY_ITEM_COUNT];   /* false: the default */
static bool sw_on[LL_PRIVACY_ITEM_COUNT];
static bool background;


/**
 * Whether an item may be read: required items always, optional ones
 * when their switch is on
 */
bool ll__privacy_on(enum ll_privacy_item item)
{
	const struct ll__pitem *it = ll__pitem(item);
	bool on;

	if (!it)
		return false;
	if (it->required)
		return true;

	pthread_mutex_lock(&sw_lock);
	on = sw_set[item] ? sw_on[item] : it->dflt;
	pthread_mutex_unlock(&sw_lock);

	return on;
}


/** Switches back to their defaults, foreground (withdrawal). */
void ll__privacy_reset(void)
{
	pthread_mutex_lock(&sw_lock);
	memset(sw_set, 0, sizeof(sw_set));
	memset(sw_on, 0, sizeof(sw_on));
	background = false;
	pthread_mutex_unlock(&sw_lock);
}


LL_API int ll_set_privacy_switch(struct ll_sdk *sdk,
				 enum ll_privacy_item item, bool enabled)
{
	const struct ll__pitem *it;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	it = ll__pitem(item);
	if (!it || it->required)
		return LL_ERR_INVALID_ARGUMENT;

	pthread_mutex_lock(&sw_lock);
	sw_set[item] = true;
	sw_on[item] = enabled;
	pthread_mutex_unlock(&sw_lock);

	if (item == LL_PRIVACY_LOG_FILES)
		ll__log_switch(enabled);

	return 0;
}


LL_API int ll_get_privacy_switch(struct ll_sdk *sdk,
				 enum ll_privacy_item item, bool *enabled)
{
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (!ll__pitem(item) || !enabled)
		return LL_ERR_INVALID_ARGUMENT;

	*enabled = ll__privacy_on(item);

	return 0;
}


/**
 * Before a call's audio starts (SDK thread): refuse capture from a device
 * or file with the microphone switched off, else record the read
 *
 * @param sdk  Instance
 * @param api  The public function ("ll_call", "ll_answer")
 *
 * @return 0 or LL_ERR_MICROPHONE_DISABLED
 */
int ll__privacy_mic_check(const struct ll_sdk *sdk, const char *api)
{
	const struct ll__audio_cfg *cfg = &sdk->audio;
	bool captures;

	captures = !strcmp(cfg->driver, "alsa") ||
		(!strcmp(cfg->driver, "file") && cfg->capture[0]);
	if (!captures)
		return 0;

	if (!ll__privacy_on(LL_PRIVACY_MICROPHONE))
		return LL_ERR_MICROPHONE_DISABLED;

	ll__ledger_record(LL_PRIVACY_MICROPHONE, api);

	return 0;
}


/** At login (SDK thread): the route and address towards the server. */
void ll__privacy_network_read(const char *api)
{
	ll__ledger_record(LL_PRIVACY_NETWORK_STATE, api);
	ll__ledger_record(LL_PRIVACY_IP_ADDRESS, api);
	ll__ledger_record(LL_PRIVACY_SDK_VERSION, api);
}


static bool js_append(char *buf, size_t size, size_t *len, const char *key,
		      const char *val)
{
	int n;

	n = snprintf(buf + *len, size - *len, ",\"%s\":\"", key);
	if (n < 0 || (size_t)n >= size - *len)
		return false;
	*len += (size_t)n;

	for (; *val; val++) {
		char c = *val;

		if ((unsigned char)c < 0x20)
			c = ' ';
		if (*len + 3 >= size)
			return false;
		if (c == '"' || c == '\\')
			buf[(*len)++] = '\\';
		buf[(*len)++] = c;
	}

	if (*len + 2 >= size)
		return false;
	buf[(*len)++] = '"';
	buf[*len] = '\0';

	return true;
}


/**
 * The client description of an agent login (SDK thread): the members
 * ,"client":{...} to append to the POST /v1/login body.  OS name and
 * machine type always; OS release and kernel version only with the
 * device-details switch on (else not even read).  Records the reads.
 *
 * @param buf   Buffer
 * @param size  Its size
 * @param api   The public function ("ll_login_agent")
 *
 * @return 0 if success, otherwise an errno value
 */
int ll__privacy_client_json(char *buf, size_t size, const char *api)
{
	const bool details = ll__privacy_on(LL_PRIVACY_DEVICE_DETAILS);
	struct utsname u;
	size_t len = 0;
	int n;

	if (!buf || size < 64)
		return EINVAL;

	if (uname(&u))
		return errno;

	n = snprintf(buf, size, ",\"client\":{\"sdk\":\"liblianluo/%s\"",
		     LL_VERSION_STR);
	if (n < 0 || (size_t)n >= size)
		return ENOMEM;
	len = (size_t)n;

	/* js_append() starts with a comma. */
	if (!js_append(buf, size, &len, "os", u.sysname) ||
	    !js_append(buf, size, &len, "model", u.machine))
		return ENOMEM;

	ll__ledger_record(LL_PRIVACY_OS, api);
	ll__ledger_record(LL_PRIVACY_DEVICE_MODEL, api);

	if (details) {
		if (!js_append(buf, size, &len, "os_release", u.release) ||
		    !js_append(buf, size, &len, "os_version", u.version))
			return ENOMEM;
		ll__ledger_record(LL_PRIVACY_DEVICE_DETAILS, api);
	}

	/* Not needed: wipe what was read but not sent. */
	memset(&u, 0, sizeof(u));

	if (len + 2 >= size)
		return ENOMEM;
	buf[len++] = '}';
	buf[len] = '\0';

	return 0;
}


/* ---- Foreground and background --------------------------------------- */

static int app_state_cmd(struct ll_sdk *sdk, void *arg)
{
	const bool bg = *(const bool *)arg;
	bool was;

	pthread_mutex_lock(&sw_lock);
	was = background;
	background = bg;
	pthread_mutex_unlock(&sw_lock);

	if (was == bg || !sdk->acct)
		return 0;

	if (bg) {
		log_info("sdk: background: registration suspended");
		ll__reconnect_suspend(sdk->acct);
	}
	else {
		log_info("sdk: foreground: registering again");
		ll__reconnect_resume(sdk->acct);
	}

	return 0;
}


LL_API int ll_set_app_state(struct ll_sdk *sdk, enum ll_app_state state)
{
	bool bg;
	int err;

	err = ll__gate(sdk);
	if (err)
		return err;

	if (state != LL_APP_FOREGROUND && state != LL_APP_BACKGROUND)
		return LL_ERR_INVALID_ARGUMENT;

	bg = state == LL_APP_BACKGROUND;

	return ll__run(sdk, app_state_cmd, &bg);
}
