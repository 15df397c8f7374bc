/**
 * @file fuzz/fuzz_sdp.c  SDP offers, decoded and answered
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is the body of an INVITE (or of a 200 answering ours), read
 * by common/media_sdp.c as the B2BUA and the SDK read it.  A usable offer
 * is then answered the way the B2BUA answers (first codec, the offer's
 * declined streams kept in place), and offered on to the other leg (all
 * its codecs, no offer to answer).  What we write must read back.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "config.h"
#include "store/store.h"
#include "fuzz.h"


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	fuzz_init();

	return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_sdp sdp, back;
	struct mbuf *mb, *desc = NULL;
	struct sa laddr;

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;

	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (media_sdp_decode(&sdp, mb))
		goto out;

	/* What the decoder promises its callers */
	if (!sdp.codecc || sdp.codecc > MEDIA_MAX_CODECS ||
	    sdp.declinedc > MEDIA_MAX_STREAMS)
		abort();

	(void)sa_set_str(&laddr, "127.0.0.1", 40000);

	/* The answer carries SRTP exactly when the offer did: the peer's
	 * tag and, read back, our key. */
	if (!media_sdp_encode(&desc, &laddr, &sdp.codecv[0], 1, &sdp,
			      sdp.secure ? &sdp.crypto : NULL) &&
	    (media_sdp_decode(&back, desc) || back.codecc != 1 ||
	     back.audio_index != sdp.audio_index ||
	     back.secure != sdp.secure ||
	     (sdp.secure && (back.crypto.tag != sdp.crypto.tag ||
			     memcmp(back.crypto.key, sdp.crypto.key,
				    sizeof(sdp.crypto.key))))))
		abort();
	desc = mem_deref(desc);

	if (!media_sdp_encode(&desc, &laddr, sdp.codecv, sdp.codecc, NULL,
			      NULL) &&
	    media_sdp_decode(&back, desc))
		abort();

 out:
	mem_deref(desc);
	mem_deref(mb);

	return 0;
}
