/**
 * @file common/sign.c  Signature of API requests (LL-HMAC-SHA256)
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <re.h>
#include "common/sign.h"


static const char scheme[] = "LL-HMAC-SHA256";


static void hex_encode(char *hex, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2*i]   = digits[p[i] >> 4];
		hex[2*i+1] = digits[p[i] & 0x0f];
	}
	hex[2*n] = '\0';
}


/**
 * Compute the signature of a request
 *
 * @param hex        Returned lowercase hex signature (64 digits + NUL)
 * @param secret_key The SecretKey
 * @param method     Request method, as sent ("POST")
 * @param target     Path with query, as sent ("/v1/cdrs?limit=5")
 * @param timestamp  Unix seconds, as sent in the header
 * @param body       Request body (may be NULL when len is 0)
 * @param len        Body length
 *
 * @return 0 if success, otherwise errorcode
 */
int sign_compute(char hex[SIGN_HEX_SZ], const char *secret_key,
		 const struct pl *method, const struct pl *target,
		 uint64_t timestamp, const uint8_t *body, size_t len)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	char bodyhex[2 * SHA256_DIGEST_LENGTH + 1];
	unsigned int mdlen = sizeof(digest);
	char *canon = NULL;
	int err;

	if (!hex || !secret_key || !method || !target || (!body && len))
		return EINVAL;

	if (!SHA256(body ? body : (const uint8_t *)"", len, digest))
		return EIO;
	hex_encode(bodyhex, digest, sizeof(digest));

	err = re_sdprintf(&canon, "%r\n%r\n%llu\n%s", method, target,
			  (unsigned long long)timestamp, bodyhex);
	if (err)
		goto out;

	if (!HMAC(EVP_sha256(), secret_key, (int)strlen(secret_key),
		  (const uint8_t *)canon, strlen(canon), digest, &mdlen) ||
	    mdlen != sizeof(digest)) {
		err = EIO;
		goto out;
	}

	hex_encode(hex, digest, sizeof(digest));

 out:
	mem_deref(canon);
	return err;
}


/**
 * Print the value of an Authorization header
 *
 * @param pf        Print handler
 * @param secret_id The SecretId
 * @param timestamp Unix seconds
 * @param sighex    Signature from sign_compute()
 *
 * @return 0 if success, otherwise errorcode
 */
int sign_header_print(struct re_printf *pf, const char *secret_id,
		      uint64_t timestamp, const char *sighex)
{
	if (!pf || !secret_id || !sighex)
		return EINVAL;

	return re_hprintf(pf, "%s SecretId=%s, Timestamp=%llu, Signature=%s",
			  scheme, secret_id, (unsigned long long)timestamp,
			  sighex);
}


/**
 * Sign a request and print its Authorization header value into a buffer
 *
 * @param buf        Buffer for the header value
 * @param sz         Size of buf
 * @param secret_id  The SecretId
 * @param secret_key The SecretKey
 * @param method     Request method
 * @param target     Path with query
 * @param timestamp  Unix seconds
 * @param body       Request body (may be NULL when len is 0)
 * @param len        Body length
 *
 * @return 0 if success, otherwise errorcode
 */
int sign_authorization(char *buf, size_t sz, const char *secret_id,
		       const char *secret_key, const char *method,
		       const char *target, uint64_t timestamp,
		       const uint8_t *body, size_t len)
{
	char hex[SIGN_HEX_SZ];
	struct pl met, tgt;
	int n, err;

	if (!buf || !sz || !secret_id || !method || !target)
		return EINVAL;

	pl_set_str(&met, method);
	pl_set_str(&tgt, target);

	err = sign_compute(hex, secret_key, &met, &tgt, timestamp, body, len);
	if (err)
		return err;

	n = re_snprintf(buf, sz, "%s SecretId=%s, Timestamp=%llu, "
			"Signature=%s", scheme, secret_id,
			(unsigned long long)timestamp, hex);

	return (n < 0 || (size_t)n >= sz) ? ENOSPC : 0;
}


static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}


/**
 * Decode the value of an Authorization header
 *
 * Each of SecretId, Timestamp and Signature must appear exactly once, in
 * any order, separated by commas; the scheme name is case-insensitive.
 *
 * @param auth Returned fields (pointing into hval)
 * @param hval The header value
 *
 * @return 0 if success, EBADMSG if malformed, otherwise errorcode
 */
int sign_decode(struct sign_auth *auth, const struct pl *hval)
{
	const size_t slen = sizeof(scheme) - 1;
	bool have_id = false, have_ts = false, have_sig = false;
	const char *p, *end;
	size_t i;

	if (!auth || !hval || !hval->p)
		return EINVAL;

	memset(auth, 0, sizeof(*auth));

	p   = hval->p;
	end = hval->p + hval->l;

	if (hval->l <= slen || strncasecmp(p, scheme, slen) ||
	    !is_space(p[slen]))
		return EBADMSG;
	p += slen;

	while (p < end) {
		struct pl key, val;

		while (p < end && (is_space(*p) || *p == ','))
			++p;
		if (p == end)
			break;

		key.p = p;
		while (p < end && *p != '=' && *p != ',' && !is_space(*p))
			++p;
		key.l = p - key.p;
		if (p == end || *p != '=' || !key.l)
			return EBADMSG;
		++p;

		val.p = p;
		while (p < end && *p != ',' && !is_space(*p))
			++p;
		val.l = p - val.p;
		if (!val.l)
			return EBADMSG;

		if (!pl_strcmp(&key, "SecretId")) {
			if (have_id)
				return EBADMSG;
			have_id = true;
			auth->secret_id = val;
		}
		else if (!pl_strcmp(&key, "Timestamp")) {
			if (have_ts || val.l > 12)
				return EBADMSG;
			for (i = 0; i < val.l; i++) {
				if (val.p[i] < '0' || val.p[i] > '9')
					return EBADMSG;
			}
			have_ts = true;
			auth->timestamp = pl_u64(&val);
		}
		else if (!pl_strcmp(&key, "Signature")) {
			if (have_sig || val.l != SIGN_HEX_SZ - 1)
				return EBADMSG;
			have_sig = true;
			auth->signature = val;
		}
		else {
			return EBADMSG;
		}
	}

	return (have_id && have_ts && have_sig) ? 0 : EBADMSG;
}


/**
 * Verify a decoded signature against a request
 *
 * @param auth       Decoded Authorization header
 * @param secret_key SecretKey of the application named by auth->secret_id
 * @param method     Request method
 * @param target     Path with query, as received
 * @param body       Request body (may be NULL when len is 0)
 * @param len        Body length
 * @param now        Server clock, Unix seconds
 *
 * @return 0 if valid, ETIMEDOUT if the timestamp is more than
 *         SIGN_MAX_SKEW_S away, EACCES if the signature does not match,
 *         otherwise errorcode
 */
int sign_verify(const struct sign_auth *auth, const char *secret_key,
		const struct pl *method, const struct pl *target,
		const uint8_t *body, size_t len, uint64_t now)
{
	char hex[SIGN_HEX_SZ];
	uint64_t skew;
	int err;

	if (!auth || !secret_key || !method || !target)
		return EINVAL;

	if (auth->signature.l != SIGN_HEX_SZ - 1)
		return EACCES;

	skew = auth->timestamp > now ? auth->timestamp - now
				     : now - auth->timestamp;
	if (skew > SIGN_MAX_SKEW_S)
		return ETIMEDOUT;

	err = sign_compute(hex, secret_key, method, target, auth->timestamp,
			   body, len);
	if (err)
		return err;

	/* Constant time: the comparison must not tell how many leading
	 * digits of a forged signature were right. */
	if (CRYPTO_memcmp(hex, auth->signature.p, SIGN_HEX_SZ - 1))
		return EACCES;

	return 0;
}
