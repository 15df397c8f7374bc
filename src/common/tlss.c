/**
 * @file common/tlss.c  libre TLS contexts for lianluod's listeners
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The HTTPS API and SIP over TLS serve the same certificate with the same
 * settings: TLS 1.2 at least, and clients are not asked for certificates
 * (API requests are signed, SIP requests carry digest credentials).
 */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <re.h>
#include "common/log.h"
#include "common/tlss.h"


/**
 * A server context with a PEM certificate (chain) and key.
 *
 * @param tlsp  Returned context
 * @param cert  PEM certificate file, the server's first, then its chain
 * @param key   PEM private key file
 *
 * @return 0 if success, otherwise errorcode
 */
int tlss_alloc(struct tls **tlsp, const char *cert, const char *key)
{
	struct tls *tls;
	SSL_CTX *ctx;
	int err;

	if (!tlsp || !cert || !key)
		return EINVAL;

	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err)
		return err;

	ctx = tls_openssl_context(tls);
	if (!ctx) {
		err = EINVAL;
		goto out;
	}

	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);

	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_error("tls: cannot read the certificate %s", cert);
		err = EBADMSG;
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_error("tls: cannot read the key %s, or it does not"
			  " match the certificate", key);
		err = EBADMSG;
		goto out;
	}

 out:
	ERR_clear_error();
	if (err)
		mem_deref(tls);
	else
		*tlsp = tls;

	return err;
}
