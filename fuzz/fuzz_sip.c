/**
 * @file fuzz/fuzz_sip.c  SIP requests as the server's SIP front end sees
 *                        them
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is one datagram.  libre decodes it (sip_msg_decode, as its UDP
 * transport does) and the message goes where libre's listeners would send
 * it: the front end's request handler (sanity checks, Max-Forwards,
 * registrar, agent status MESSAGEs, OPTIONS), then, for a new INVITE the
 * handler leaves to sipsess, the B2BUA's new-call handler (service number
 * lookup, agent check, digest check).  Replies go to a discard address.
 * A front end is made per input, so that no transaction of one input
 * meets the next.  The loop does not run: nothing here waits for a timer.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "sip/sipfront.h"
#include "sip/sipint.h"
#include "fuzz.h"


static struct fuzz_server srv;


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fuzz_server_init(&srv))
		abort();

	return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sipfront *sf = NULL;
	struct sip_msg *msg = NULL;
	struct mbuf *mb;

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;

	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (sip_msg_decode(&msg, mb) || !msg->req)
		goto out;

	if (sipfront_alloc(&sf, &srv.cfg, srv.st, srv.acd))
		abort();

	/* Where libre's UDP transport says it came from; port 9 discards */
	(void)sa_set_str(&msg->src, "127.0.0.1", 9);
	msg->dst = sf->laddr;
	msg->tp  = SIP_TRANSP_UDP;

	if (!sipfront_request_handler(msg, sf) &&
	    !pl_strcmp(&msg->met, "INVITE") && !pl_isset(&msg->to.tag))
		b2bua_conn_handler(msg, sf);

 out:
	mem_deref(msg);
	mem_deref(sf);
	mem_deref(mb);

	return 0;
}
