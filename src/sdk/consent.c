/**
 * @file sdk/consent.c  The consent gate (DESIGN.md, personal information
 *                      rules 1 and 7)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Until ll_privacy_consent(1), every public function except the consent
 * ones, ll_privacy_disclosure(), ll_privacy_item_name(), ll_version*() and
 * ll_strerror() returns LL_ERR_CONSENT_REQUIRED
 * before doing anything else: the gate is the first statement of each, so
 * no socket, thread or file can be reached without consent.  libre itself
 * is initialised only by the SDK thread, which consent precedes.
 */
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


static pthread_mutex_t consent_lock = PTHREAD_MUTEX_INITIALIZER;
static bool consent;


bool ll__consented(void)
{
	bool c;

	pthread_mutex_lock(&consent_lock);
	c = consent;
	pthread_mutex_unlock(&consent_lock);

	return c;
}


/**
 * The check at the top of every instance function: consent first, then
 * the handle.  The handle is only compared later, under the instance lock.
 *
 * @param sdk  Handle given by the application
 *
 * @return 0 if the call may proceed, otherwise a public error code
 */
int ll__gate(const struct ll_sdk *sdk)
{
	if (!ll__consented())
		return LL_ERR_CONSENT_REQUIRED;

	return sdk ? 0 : LL_ERR_INVALID_ARGUMENT;
}


LL_API int ll_privacy_consent(int granted)
{
	/* Taking consent back is a withdrawal, with all it deletes. */
	if (!granted && ll__consented())
		return ll_privacy_withdraw();

	pthread_mutex_lock(&consent_lock);
	consent = granted != 0;
	pthread_mutex_unlock(&consent_lock);

	return 0;
}


LL_API int ll_privacy_withdraw(void)
{
	int err;

	if (!ll__consented())
		return 0;

	/* Refused inside a callback: the SDK thread cannot join itself. */
	err = ll_destroy_shared_instance();
	if (err)
		return err;

	pthread_mutex_lock(&consent_lock);
	consent = false;
	pthread_mutex_unlock(&consent_lock);

	/* An instance created between the two steps above ends here. */
	ll__instances_end();
	ll__log_wipe();
	ll__ledger_clear();
	ll__privacy_reset();

	return 0;
}
