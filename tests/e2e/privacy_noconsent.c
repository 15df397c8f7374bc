/**
 * @file privacy_noconsent.c  Calls every public function of liblianluo
 *                            without consent (DESIGN.md, rule 1)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Run under strace by tests/e2e/test_sdk_privacy_strace.py, which checks
 * that no socket is opened, no file opened for writing and no thread
 * started.  Here: every function but the ones allowed before consent
 * returns LL_ERR_CONSENT_REQUIRED (or NULL).  Prints "calls N" and exits
 * 0, or names the first function that did otherwise and exits 1.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <lianluo/lianluo.h>


static int calls, bad;


static void expect(const char *name, int ret)
{
	++calls;
	if (ret == LL_ERR_CONSENT_REQUIRED)
		return;

	printf("%s returned %d (%s), not the consent error\n", name, ret,
	       ll_strerror(ret));
	++bad;
}


#define EXPECT(call) expect(#call, call)


int main(void)
{
	struct ll_sdk *fake = (struct ll_sdk *)(uintptr_t)0x1;
	struct ll_listener l;
	struct ll_agent_status_info st;
	char buf[256];
	uint32_t v;
	bool on;
	int i;

	memset(&l, 0, sizeof(l));

	++calls;
	if (ll_shared_instance()) {
		printf("ll_shared_instance gave an instance\n");
		++bad;
	}

	EXPECT(ll_destroy_shared_instance());
	EXPECT(ll_set_listener(fake, &l));
	EXPECT(ll_login_agent(fake, "http://127.0.0.1:1", "1", "u", "t",
			      NULL, NULL));
	EXPECT(ll_login_sip(fake, "sip:1@127.0.0.1", "p", NULL, NULL));
	EXPECT(ll_logout(fake, NULL, NULL));
	EXPECT(ll_check_login(fake));
	EXPECT(ll_call(fake, "13800138000", NULL, NULL, NULL, NULL));
	EXPECT(ll_answer(fake));
	EXPECT(ll_terminate(fake));
	EXPECT(ll_send_dtmf(fake, '1'));
	EXPECT(ll_mute(fake));
	EXPECT(ll_unmute(fake));
	EXPECT(ll_start_play_music(fake, "/dev/null", 1));
	EXPECT(ll_stop_play_music(fake));
	EXPECT(ll_set_audio_driver(fake, "alsa", NULL, NULL));
	EXPECT(ll_set_capture_volume(fake, 100));
	EXPECT(ll_set_playout_volume(fake, 100));
	EXPECT(ll_get_capture_volume(fake, &v));
	EXPECT(ll_get_playout_volume(fake, &v));
	EXPECT(ll_set_audio_route(fake, LL_AUDIO_ROUTE_EARPIECE));
	EXPECT(ll_enable_audio_volume_evaluation(fake, 200));
	EXPECT(ll_set_log_level(fake, LL_LOG_DEBUG));
	EXPECT(ll_set_console_enabled(fake, true));
	EXPECT(ll_set_log_dir(fake, "/tmp/ll-noconsent-never"));
	EXPECT(ll_set_privacy_switch(fake, LL_PRIVACY_DEVICE_DETAILS, true));
	EXPECT(ll_get_privacy_switch(fake, LL_PRIVACY_MICROPHONE, &on));
	EXPECT(ll_privacy_ledger_json(fake, buf, sizeof(buf)));
	EXPECT(ll_set_app_state(fake, LL_APP_BACKGROUND));
	EXPECT(ll_set_server_certificate(fake, "/etc/ssl/certs/ca.pem"));
	EXPECT(ll_set_agent_status(fake, LL_AGENT_REST, "lunch", false));
	EXPECT(ll_extend_arrange(fake, 60));
	EXPECT(ll_get_agent_status(fake, &st));

	/* Allowed before consent; they must touch nothing all the same. */
	(void)ll_strerror(LL_ERR_CONSENT_REQUIRED);
	(void)ll_version();
	(void)ll_version_num();
	(void)ll_end_reason_str(LL_END_REMOTE_BYE);
	(void)ll_agent_status_str(LL_AGENT_NOT_READY);
	for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++)
		(void)ll_privacy_item_name((enum ll_privacy_item)i);
	if (!ll_privacy_disclosure("en", "json") ||
	    !ll_privacy_disclosure("zh", "markdown")) {
		printf("no disclosure before consent\n");
		++bad;
	}
	(void)ll_privacy_withdraw();
	(void)ll_privacy_consent(0);
	calls += 11;

	printf("calls %d\n", calls);

	return bad ? 1 : 0;
}
