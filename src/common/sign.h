/**
 * @file common/sign.h  Signature of API requests (LL-HMAC-SHA256)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * A signed request carries
 *
 *   Authorization: LL-HMAC-SHA256 SecretId=<id>, Timestamp=<unix s>,
 *                  Signature=<hex>
 *
 * where Signature is the lowercase hex HMAC-SHA256, keyed with the
 * SecretKey, of the string
 *
 *   METHOD "\n" PATH-WITH-QUERY "\n" TIMESTAMP "\n" hex(SHA256(body))
 *
 * (docs/API.md has a worked example).  The server refuses timestamps more
 * than SIGN_MAX_SKEW_S away from its clock.  Shared by the server and the
 * clients (lianluoctl, tests).
 */

enum {
	SIGN_HEX_SZ     = 65,    /* 64 hex digits + NUL */
	SIGN_MAX_SKEW_S = 300,
};

/* A decoded Authorization header; the pl's point into the header. */
struct sign_auth {
	struct pl secret_id;
	uint64_t timestamp;
	struct pl signature;
};

int sign_compute(char hex[SIGN_HEX_SZ], const char *secret_key,
		 const struct pl *method, const struct pl *target,
		 uint64_t timestamp, const uint8_t *body, size_t len);
int sign_header_print(struct re_printf *pf, const char *secret_id,
		      uint64_t timestamp, const char *sighex);
int sign_authorization(char *buf, size_t sz, const char *secret_id,
		       const char *secret_key, const char *method,
		       const char *target, uint64_t timestamp,
		       const uint8_t *body, size_t len);
int sign_decode(struct sign_auth *auth, const struct pl *hval);
int sign_verify(const struct sign_auth *auth, const char *secret_key,
		const struct pl *method, const struct pl *target,
		const uint8_t *body, size_t len, uint64_t now);
