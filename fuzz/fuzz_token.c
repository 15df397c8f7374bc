/**
 * @file fuzz/fuzz_token.c  SDK login tokens, as POST /v1/login reads them
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The first byte of an input chooses what the rest is:
 *   even: a token as the SDK sends it ("payload.mac", base64url), which
 *         almost never carries the right MAC;
 *   odd:  a token payload ("v1|app|user|expires|nonce"), which is signed
 *         here with the application's token key, so that the checks
 *         behind the MAC (fields, user, expiry, single use) are reached;
 *         "APPID" in it stands for the application's id, which is made
 *         at random when the store is.
 * Either way the token goes, in a JSON body for the application and
 * staff member u1, to the login handler (api/tokens.c) on a real store.
 */
#include <string.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"
#include "fuzz.h"


enum {
	TOKEN_IN_MAX = 1024,
	MAC_SZ = 32,
};

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


struct span {
	const uint8_t *p;
	size_t n;
};


/* Unpadded base64url, as the server writes tokens. */
static int b64url_print(struct re_printf *pf, const struct span *s)
{
	return api_b64url_print(pf, s->p, s->n);
}


static void login(const char *token)
{
	struct api_req req;
	struct mbuf *body;

	memset(&req, 0, sizeof(req));
	body   = mbuf_alloc(256);
	req.mb = mbuf_alloc(1024);
	if (!body || !req.mb)
		goto out;

	if (mbuf_printf(body, "{\"sdk_app_id\":%H,\"user_id\":\"u1\","
			"\"token\":%H}", jsonw_str, srv.app.sdk_app_id,
			jsonw_str, token))
		goto out;

	req.api      = api;
	req.body     = body->buf;
	req.body_len = body->end;

	api_login(&req);

 out:
	mem_deref(req.mb);
	mem_deref(body);
}


/* The payload, "APPID" replaced by the application's id */
static size_t payload_fill(uint8_t *buf, size_t sz, const uint8_t *p,
			   size_t n)
{
	const size_t idlen = strlen(srv.app.sdk_app_id);
	size_t i = 0, o = 0;

	while (i < n && o < sz) {
		if (n - i >= 5 && !memcmp(p + i, "APPID", 5) &&
		    sz - o >= idlen) {
			memcpy(buf + o, srv.app.sdk_app_id, idlen);
			o += idlen;
			i += 5;
		}
		else {
			buf[o++] = p[i++];
		}
	}

	return o;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char token[4 * TOKEN_IN_MAX];
	uint8_t pbuf[2 * TOKEN_IN_MAX];
	uint8_t mac[MAC_SZ];
	unsigned int mlen = sizeof(mac);

	if (size < 1 || size > TOKEN_IN_MAX)
		return 0;

	if (!(data[0] & 1)) {
		memcpy(token, data + 1, size - 1);
		token[size - 1] = '\0';
	}
	else {
		const char *key = srv.app.token_key;
		struct span payload = {pbuf, 0};
		struct span sig = {mac, 0};

		payload.n = payload_fill(pbuf, sizeof(pbuf), data + 1,
					 size - 1);
		if (!HMAC(EVP_sha256(), key, (int)strlen(key), pbuf,
			  payload.n, mac, &mlen))
			abort();

		sig.n = mlen;
		if (re_snprintf(token, sizeof(token), "%H.%H",
				b64url_print, &payload,
				b64url_print, &sig) < 0)
			return 0;
	}

	login(token);

	return 0;
}
