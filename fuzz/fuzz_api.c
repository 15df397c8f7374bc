/**
 * @file fuzz/fuzz_api.c  HTTP API requests, headers and JSON bodies
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An input is one HTTP request: request line, headers, and everything
 * after them as its body (what api/server.c hands a handler once
 * Content-Length bytes are in).  libre parses the head (http_msg_decode,
 * as server.c does); then the API's own code runs as in server.c's
 * handle(): the route table, the signature check (api_auth, which the
 * input cannot pass), and, as if the request had been signed by the one
 * application, the route's handler: body decoding and the staff, group,
 * number, IVR menu, agent status, token and login validators, on a
 * real store in memory that keeps what earlier inputs created.
 */
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"
#include "fuzz.h"


static struct fuzz_server srv;
static struct api *api;


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (fuzz_api_init(&srv, &api))
		abort();

	return 0;
}


static void request(const struct http_msg *msg, const uint8_t *body,
		    size_t len)
{
	const struct api_route *route = NULL;
	struct api_req req;

	memset(&req, 0, sizeof(req));
	req.api      = api;
	req.msg      = msg;
	req.body     = body;
	req.body_len = len;
	req.target.p = msg->path.p;
	req.target.l = msg->path.l + msg->prm.l;
	if (msg->prm.l) {
		req.query.p = msg->prm.p + 1;
		req.query.l = msg->prm.l - 1;
	}

	req.mb = mbuf_alloc(1024);
	if (!req.mb)
		return;

	if (api_route_find(&route, &req, &msg->met, &msg->path))
		goto out;

	if (route->role != API_PUBLIC && api_auth(&req)) {
		/* Signed after all, by the application: the handler's turn. */
		req.mb->pos = req.mb->end = 0;
		req.scode = 0;
		req.ctype = NULL;
		req.app   = srv.app;
		req.role  = API_ADMIN;
	}

	route->h(&req);

 out:
	mem_deref(req.mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_msg *msg = NULL;
	struct mbuf *mb;

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;

	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (http_msg_decode(&msg, mb, true))
		goto out;

	request(msg, mbuf_buf(mb), mbuf_get_left(mb));

 out:
	mem_deref(msg);
	mem_deref(mb);

	return 0;
}
