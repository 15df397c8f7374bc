/**
 * @file api/tokens.c  SDK login tokens and POST /v1/login
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An SDK login token is
 *
 *   base64url(payload) "." base64url(HMAC-SHA256(app token_key, payload))
 *   payload = "v1|" sdk_app_id "|" user_id "|" expires "|" nonce
 *
 * without padding; expires is in Unix seconds and nonce is 32 random hex
 * digits, stored with store_token_add() so that the token works once.
 * POST /v1/login trades a token for ephemeral SIP credentials: a random
 * user name and password whose HA1 is stored until now + sipcred_ttl_s.
 *
 * Tokens, nonces and passwords are never logged.
 */
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


enum {
	MAC_SZ      = 32,
	NONCE_HEX   = 32,
	PAYLOAD_MAX = 256,
	TOKEN_MAX   = 512,
	SIPPW_LEN   = 24,
};

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


/* Unpadded base64url, as tokens are written (the fuzzer signs its own). */
int api_b64url_print(struct re_printf *pf, const uint8_t *p, size_t n)
{
	char out[4];
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i += 3) {
		const size_t k = MIN(n - i, (size_t)3);
		uint32_t v = (uint32_t)p[i] << 16;

		if (k > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (k > 2)
			v |= p[i + 2];

		out[0] = b64url[(v >> 18) & 0x3f];
		out[1] = b64url[(v >> 12) & 0x3f];
		out[2] = b64url[(v >> 6) & 0x3f];
		out[3] = b64url[v & 0x3f];

		err = pf->vph(out, k + 1, pf->arg);
	}

	return err;
}


static int b64val(char c)
{
	const char *p = c ? strchr(b64url, c) : NULL;

	return p ? (int)(p - b64url) : -1;
}


/* Strict decoding: the alphabet only, no padding, no stray bits. */
static int b64url_decode(uint8_t *out, size_t sz, size_t *lenp,
			 const char *in, size_t n)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	unsigned bits = 0;

	if (n % 4 == 1)
		return EBADMSG;

	for (i = 0; i < n; i++) {
		const int v = b64val(in[i]);

		if (v < 0)
			return EBADMSG;

		acc = (acc << 6) | (uint32_t)v;
		bits += 6;

		if (bits >= 8) {
			bits -= 8;
			if (o >= sz)
				return EOVERFLOW;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}

	if (acc)
		return EBADMSG;

	*lenp = o;
	return 0;
}


static int token_mac(uint8_t mac[MAC_SZ], const char *key,
		     const uint8_t *payload, size_t n)
{
	unsigned int len = MAC_SZ;

	if (!HMAC(EVP_sha256(), key, (int)strlen(key), payload, n, mac,
		  &len) || len != MAC_SZ)
		return EIO;

	return 0;
}


struct token_parts {
	const uint8_t *payload;
	size_t plen;
	const uint8_t *mac;
};


static int token_print(struct re_printf *pf, const struct token_parts *t)
{
	int err;

	err  = api_b64url_print(pf, t->payload, t->plen);
	err |= pf->vph(".", 1, pf->arg);
	err |= api_b64url_print(pf, t->mac, MAC_SZ);

	return err;
}


/**
 * Issue a single-use SDK login token
 *
 * @param api     The API
 * @param app     SdkAppId
 * @param user_id UserId (must be a staff member of app)
 * @param expires Expiry, Unix seconds
 * @param tok     Buffer for the token
 * @param sz      Size of tok
 *
 * @return 0 if success, ENOENT if app or user does not exist, otherwise
 *         errorcode
 */
int api_token_issue(struct api *api, const char *app, const char *user_id,
		    int64_t expires, char *tok, size_t sz)
{
	struct store_staff s;
	struct store_app a;
	struct token_parts t;
	char payload[PAYLOAD_MAX];
	uint8_t mac[MAC_SZ], rnd[NONCE_HEX / 2];
	char nonce[NONCE_HEX + 1];
	int n, err;

	if (!api || !app || !user_id || !tok || !sz)
		return EINVAL;

	err = store_app_get(api->st, app, &a);
	if (!err)
		err = store_staff_get(api->st, app, user_id, &s);
	if (err)
		goto out;

	rand_bytes(rnd, sizeof(rnd));
	(void)re_snprintf(nonce, sizeof(nonce), "%w", rnd, sizeof(rnd));

	n = re_snprintf(payload, sizeof(payload), "v1|%s|%s|%lld|%s", app,
			user_id, (long long)expires, nonce);
	if (n < 0 || (size_t)n >= sizeof(payload)) {
		err = ENOSPC;
		goto out;
	}

	err = token_mac(mac, a.token_key, (const uint8_t *)payload, n);
	if (err)
		goto out;

	t.payload = (const uint8_t *)payload;
	t.plen    = (size_t)n;
	t.mac     = mac;
	n = re_snprintf(tok, sz, "%H", token_print, &t);
	if (n < 0 || (size_t)n >= sz) {
		err = ENOSPC;
		goto out;
	}

	err = store_token_add(api->st, app, user_id, nonce, expires);

 out:
	memset(&a, 0, sizeof(a));
	memset(mac, 0, sizeof(mac));
	if (err)
		memset(tok, 0, sz);
	return err;
}


/* POST /v1/sdk-login-tokens */
void api_token_create(struct api_req *req)
{
	struct odict *od = NULL;
	char user[STORE_ID_SZ];
	char tok[TOKEN_MAX];
	int64_t expires;
	int err;

	err = api_body_decode(req, &od);
	if (!err)
		err = api_get_str(req, od, "user_id", true, user, sizeof(user),
				  api_valid_id);
	if (err)
		goto out;

	expires = (int64_t)time(NULL) + req->api->cfg->token_ttl_s;

	err = api_token_issue(req->api, req->app.sdk_app_id, user, expires,
			      tok, sizeof(tok));
	if (err) {
		api_error_store(req, err, "staff member", user);
		goto out;
	}

	log_info("api: SDK login token issued");
	api_reply(req, 201, "{\"token\":%H,\"expires_at\":%lld,"
		  "\"sdk_app_id\":%H,\"user_id\":%H}",
		  jsonw_str, tok, (long long)expires,
		  jsonw_str, req->app.sdk_app_id, jsonw_str, user);

 out:
	memset(tok, 0, sizeof(tok));
	mem_deref(od);
}


/* Split "v1|app|user|expires|nonce" into its five fields. */
static int payload_split(const char *p, size_t n, struct pl *v,
			 struct pl *app, struct pl *user, struct pl *exp,
			 struct pl *nonce)
{
	struct pl *fieldv[5];
	const char *end = p + n;
	size_t i, k;

	fieldv[0] = v;
	fieldv[1] = app;
	fieldv[2] = user;
	fieldv[3] = exp;
	fieldv[4] = nonce;

	for (i = 0; i < ARRAY_SIZE(fieldv); i++) {
		const char *sep = memchr(p, '|', end - p);

		if (i + 1 < ARRAY_SIZE(fieldv) && !sep)
			return EBADMSG;
		if (i + 1 == ARRAY_SIZE(fieldv)) {
			if (sep)
				return EBADMSG;
			sep = end;
		}

		fieldv[i]->p = p;
		fieldv[i]->l = sep - p;
		if (!fieldv[i]->l)
			return EBADMSG;

		p = sep + 1;
	}

	for (k = 0; k < exp->l; k++) {
		if (exp->p[k] < '0' || exp->p[k] > '9' || exp->l > 15)
			return EBADMSG;
	}

	return 0;
}


/*
 * Check a token for (app, user).  Returns 0, or sets the 401 reply:
 * AuthFailure, TokenExpired or TokenUsed.
 */
static int token_check(struct api_req *req, const char *token,
		       const char *app, const char *user)
{
	struct store_app a;
	uint8_t payload[PAYLOAD_MAX], mac[MAC_SZ + 3], want[MAC_SZ];
	size_t plen = 0, mlen = 0;
	struct pl tv, tapp, tuser, texp, tnonce;
	char nonce[NONCE_HEX + 1];
	const char *dot, *code = "AuthFailure", *why = "invalid token";
	int err;

	memset(&a, 0, sizeof(a));

	dot = strchr(token, '.');
	if (!dot)
		goto fail;

	err = b64url_decode(payload, sizeof(payload) - 1, &plen, token,
			    dot - token);
	if (!err)
		err = b64url_decode(mac, sizeof(mac), &mlen, dot + 1,
				    strlen(dot + 1));
	if (err || mlen != MAC_SZ)
		goto fail;
	payload[plen] = '\0';

	err = store_app_get(req->api->st, app, &a);
	if (err == ENOENT)
		goto fail;
	else if (err) {
		api_error_store(req, err, "application", NULL);
		goto out;
	}

	err = token_mac(want, a.token_key, payload, plen);
	if (err) {
		api_error(req, 500, "InternalError", "cannot check token");
		goto out;
	}

	if (CRYPTO_memcmp(want, mac, MAC_SZ))
		goto fail;

	/* Authentic from here on: a mismatch is a token for someone else. */
	if (payload_split((const char *)payload, plen, &tv, &tapp, &tuser,
			  &texp, &tnonce) ||
	    pl_strcmp(&tv, "v1") || tnonce.l != NONCE_HEX)
		goto fail;

	if (pl_strcmp(&tapp, app) || pl_strcmp(&tuser, user)) {
		why = "token was issued for another user";
		goto fail;
	}

	if ((int64_t)pl_u64(&texp) < (int64_t)time(NULL)) {
		code = "TokenExpired";
		why  = "token expired";
		goto fail;
	}

	(void)pl_strcpy(&tnonce, nonce, sizeof(nonce));

	err = store_token_consume(req->api->st, nonce);
	if (err == EALREADY) {
		code = "TokenUsed";
		why  = "token was used before";
		goto fail;
	}
	else if (err == ENOENT) {
		/* Expired and purged, or never issued by this store. */
		goto fail;
	}
	else if (err) {
		api_error_store(req, err, "token", NULL);
		goto out;
	}

	goto out;

 fail:
	err = EACCES;
	log_info("api: login refused: %s", why);
	api_error(req, 401, code, "%s", why);

 out:
	memset(&a, 0, sizeof(a));
	memset(want, 0, sizeof(want));
	return err;
}


/* A random password from an alphabet of 62 letters and digits. */
static void rand_password(char *pw, size_t len)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789";
	size_t i = 0;

	while (i < len) {
		uint8_t b;

		rand_bytes(&b, 1);

		/* Reject 248..255 so that every character is equally
		 * likely (248 = 4 * 62). */
		if (b >= 248)
			continue;

		pw[i++] = alpha[b % 62];
	}

	pw[len] = '\0';
}


struct login_reply {
	const struct store_sipcred *cred;
	const char *password;
	const char *realm;
	const char *sip_uri;
	const char *aor;
};


static int login_print(struct re_printf *pf, const struct login_reply *r)
{
	return re_hprintf(pf, "{\"sip_username\":%H,\"sip_password\":%H,"
			  "\"sip_realm\":%H,\"sip_uri\":%H,"
			  "\"aor\":%H,\"expires_at\":%lld}",
			  jsonw_str, r->cred->username,
			  jsonw_str, r->password, jsonw_str, r->realm,
			  jsonw_str, r->sip_uri, jsonw_str, r->aor,
			  (long long)r->cred->expires);
}


/* POST /v1/login (not signed: the token is the credential) */
void api_login(struct api_req *req)
{
	const struct config *cfg = req->api->cfg;
	struct odict *od = NULL;
	struct store_sipcred cred;
	struct store_staff s;
	struct login_reply r;
	char app[STORE_ID_SZ], user[STORE_ID_SZ], token[TOKEN_MAX];
	char password[SIPPW_LEN + 1];
	char aor[STORE_URI_SZ + STORE_ID_SZ];
	uint8_t rnd[8];
	int err;

	memset(password, 0, sizeof(password));
	memset(token, 0, sizeof(token));

	err = api_body_decode(req, &od);
	if (!err)
		err = api_get_str(req, od, "sdk_app_id", true, app,
				  sizeof(app), api_valid_id);
	if (!err)
		err = api_get_str(req, od, "user_id", true, user,
				  sizeof(user), api_valid_id);
	if (!err)
		err = api_get_str(req, od, "token", true, token,
				  sizeof(token), NULL);
	if (err)
		goto out;

	err = token_check(req, token, app, user);
	if (err)
		goto out;

	/* The staff member may have been deleted since. */
	err = store_staff_get(req->api->st, app, user, &s);
	if (err == ENOENT) {
		api_error(req, 401, "AuthFailure", "user no longer exists");
		goto out;
	}
	else if (err) {
		api_error_store(req, err, "staff member", user);
		goto out;
	}

	memset(&cred, 0, sizeof(cred));
	rand_bytes(rnd, sizeof(rnd));
	(void)re_snprintf(cred.username, sizeof(cred.username), "u%w",
			  rnd, sizeof(rnd));
	str_ncpy(cred.sdk_app_id, app, sizeof(cred.sdk_app_id));
	str_ncpy(cred.user_id, user, sizeof(cred.user_id));
	cred.expires = (int64_t)time(NULL) + cfg->sipcred_ttl_s;

	rand_password(password, SIPPW_LEN);

	err = api_ha1(cred.ha1, cred.username, cfg->realm, password);
	if (!err)
		err = store_sipcred_add(req->api->st, &cred);
	if (err) {
		api_error_store(req, err, "SIP credentials", NULL);
		goto out;
	}

	log_info("api: login: ephemeral SIP credentials issued");

	r.cred     = &cred;
	r.password = password;
	r.realm    = cfg->realm;
	r.sip_uri  = req->api->sip_uri;
	r.aor      = aor;
	(void)re_snprintf(aor, sizeof(aor), "sip:%s@%s", user,
			  req->api->sip_hostport);
	api_reply(req, 200, "%H", login_print, &r);

 out:
	memset(password, 0, sizeof(password));
	memset(token, 0, sizeof(token));
	mem_deref(od);
}
