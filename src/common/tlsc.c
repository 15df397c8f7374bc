/**
 * @file common/tlsc.c  Blocking TLS client that verifies the server
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * OpenSSL directly over a connected, blocking socket (with SO_RCVTIMEO
 * and SO_SNDTIMEO set by the caller): libre's TLS needs its event loop,
 * which a one-shot command and the SDK's login thread do not have.
 *
 * The socket is reached through a BIO of our own that sends with
 * MSG_NOSIGNAL: OpenSSL's socket BIO write()s, and a server that closes
 * early would then kill the process (an app hosting the SDK) by SIGPIPE.
 *
 * With a pin the chain is not checked (a self-signed certificate is the
 * normal case), only that the server's certificate is the pinned one.
 * The comparison runs in the handshake's verification, so a wrong
 * certificate aborts the handshake with an alert the server sees, and
 * once more after it, before a byte of the request is written.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <ctype.h>
#include <pthread.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <re.h>
#include "common/tlsc.h"


struct tlsc {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO_METHOD *biom;
	int fd;
	bool eof;
	struct tlsc_verify *v;            /* freed with ctx */
};


static int bio_write(BIO *b, const char *p, int n)
{
	struct tlsc *tc = BIO_get_data(b);
	ssize_t k;

	k = send(tc->fd, p, (size_t)n, MSG_NOSIGNAL);

	return k < 0 ? -1 : (int)k;
}


static int bio_read(BIO *b, char *p, int n)
{
	struct tlsc *tc = BIO_get_data(b);
	ssize_t k;

	k = recv(tc->fd, p, (size_t)n, 0);
	if (k == 0)
		tc->eof = true;

	return k < 0 ? -1 : (int)k;
}


static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tlsc *tc = BIO_get_data(b);
	(void)num;
	(void)ptr;

	switch (cmd) {

	case BIO_CTRL_FLUSH: return 1;
	case BIO_CTRL_EOF:   return tc && tc->eof;
	default:             return 0;
	}
}


static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}


static void detail_set(char *detail, size_t sz, const char *fmt, ...)
{
	va_list ap;

	if (!detail || !sz)
		return;

	va_start(ap, fmt);
	(void)re_vsnprintf(detail, sz, fmt, ap);
	va_end(ap);
}


/**
 * Normalise a SHA-256 fingerprint: 64 hex digits, optionally in pairs
 * separated by ':' (as openssl x509 -fingerprint prints it), any case.
 *
 * @param hex Returned 64 lowercase hex digits
 * @param sz  Size of hex, at least TLSC_SHA256_HEX_SZ
 * @param s   Fingerprint as given
 *
 * @return 0 if success, EINVAL if s is not a SHA-256 fingerprint
 */
int tlsc_pin_decode(char *hex, size_t sz, const char *s)
{
	size_t n = 0;

	if (!hex || sz < TLSC_SHA256_HEX_SZ || !s)
		return EINVAL;

	for (; *s; s++) {
		if (*s == ':' && n && n % 2 == 0 && s[1])
			continue;
		if (!isxdigit((unsigned char)*s) || n >= 64)
			return EINVAL;
		hex[n++] = (char)tolower((unsigned char)*s);
	}

	if (n != 64)
		return EINVAL;

	hex[n] = '\0';
	return 0;
}


/**
 * SHA-256 of a certificate's DER encoding, the fingerprint that is pinned
 *
 * @param hex Returned 64 lowercase hex digits
 * @param sz  Size of hex, at least TLSC_SHA256_HEX_SZ
 * @param x   Certificate
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsc_cert_sha256(char *hex, size_t sz, const struct x509_st *x)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!hex || sz < TLSC_SHA256_HEX_SZ || !x)
		return EINVAL;

	if (!X509_digest(x, EVP_sha256(), md, &mdlen) || mdlen != 32) {
		ERR_clear_error();
		return EPROTO;
	}

	(void)re_snprintf(hex, sz, "%w", md, (size_t)mdlen);
	return 0;
}


/**
 * SHA-256 fingerprint of the first certificate of a PEM file
 *
 * @param hex      Returned 64 lowercase hex digits
 * @param sz       Size of hex
 * @param pem_path PEM file
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsc_file_sha256(char *hex, size_t sz, const char *pem_path)
{
	X509 *x;
	FILE *f;
	int err;

	if (!hex || !pem_path)
		return EINVAL;

	f = fopen(pem_path, "r");
	if (!f)
		return errno;

	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		ERR_clear_error();
		return EBADMSG;
	}

	err = tlsc_cert_sha256(hex, sz, x);
	X509_free(x);

	return err;
}


/* SNI for a name (RFC 6066 3: never for an address); the name or
 * address check is the context's (ctx_verify). */
static int sni_set(SSL *ssl, const char *host)
{
	struct sa sa;

	if (0 == sa_set_str(&sa, host, 0))
		return 0;

	return SSL_set_tlsext_host_name(ssl, host) ? 0 : EINVAL;
}


/*
 * What a context verifies with lives in the context's ex_data and is
 * freed with it: a context outlives whoever made it (libre's SIP stack
 * keeps its TLS context after the SDK's login has ended).
 */
static int verify_idx = -1;
static pthread_once_t verify_once = PTHREAD_ONCE_INIT;


static void verify_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad,
			int idx, long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;

	free(ptr);
}


static void verify_idx_init(void)
{
	verify_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
					      verify_free);
}


static struct tlsc_verify *verify_new(SSL_CTX *ctx)
{
	struct tlsc_verify *v;

	(void)pthread_once(&verify_once, verify_idx_init);
	if (verify_idx < 0)
		return NULL;

	v = calloc(1, sizeof(*v));
	if (v && !SSL_CTX_set_ex_data(ctx, verify_idx, v)) {
		free(v);
		v = NULL;
	}

	return v;
}


static struct tlsc_verify *verify_get(const SSL_CTX *ctx)
{
	return verify_idx < 0 ? NULL : SSL_CTX_get_ex_data(ctx, verify_idx);
}


/* Without a pin: the chain and host as OpenSSL checks them; a failure
 * is remembered, so the caller can tell a refused server from a lost
 * one. */
static int ca_verify_handler(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
				SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tlsc_verify *v = ssl ? verify_get(SSL_get_SSL_CTX(ssl)) : NULL;

	if (v && v->serving && SSL_is_server(ssl))
		return 1;

	if (!ok && v)
		v->refused = true;

	return ok;
}


/* The handshake's verification with a pin: the server's own certificate
 * (depth 0) must be the pinned one; what it chains to does not matter. */
static int pin_verify_handler(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
				SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tlsc_verify *v = ssl ? verify_get(SSL_get_SSL_CTX(ssl)) : NULL;
	char hex[TLSC_SHA256_HEX_SZ];
	X509 *x;
	(void)ok;

	if (!v)
		return 0;

	if (v->serving && SSL_is_server(ssl))
		return 1;

	if (X509_STORE_CTX_get_error_depth(xs) > 0)
		return 1;

	x = X509_STORE_CTX_get_current_cert(xs);
	if (!x || tlsc_cert_sha256(hex, sizeof(hex), x))
		return 0;

	if (CRYPTO_memcmp(hex, v->pin, 64)) {
		str_ncpy(v->got, hex, sizeof(v->got));
		v->refused = true;
		return 0;
	}

	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}


static int pin_check(struct tlsc *tc, char *detail, size_t sz)
{
	char got[TLSC_SHA256_HEX_SZ];
	X509 *x;
	int err;

	x = SSL_get1_peer_certificate(tc->ssl);
	if (!x) {
		detail_set(detail, sz, "the server sent no certificate");
		return TLSC_ECERT;
	}

	err = tlsc_cert_sha256(got, sizeof(got), x);
	X509_free(x);
	if (err)
		return err;

	if (CRYPTO_memcmp(tc->v->pin, got, 64)) {
		str_ncpy(tc->v->got, got, sizeof(tc->v->got));
		return TLSC_ECERT;
	}

	return 0;
}


/* The verification of tlsc_ctx_verify(), with the reason of a failure
 * in detail (may be NULL). */
static int ctx_verify(SSL_CTX *ctx, const char *host, const char *pin,
		      const char *ca_file, struct tlsc_verify **vp,
		      char *detail, size_t sz)
{
	struct tlsc_verify *v;
	X509_VERIFY_PARAM *vp_x;
	struct sa sa;
	int ok;

	v = verify_new(ctx);
	if (!v)
		return ENOMEM;

	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	*vp = v;

	if (pin && *pin) {
		if (tlsc_pin_decode(v->pin, sizeof(v->pin), pin)) {
			detail_set(detail, sz, "the pinned certificate"
				   " fingerprint is not 64 hex digits"
				   " (SHA-256)");
			return EINVAL;
		}

		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, pin_verify_handler);
		return 0;
	}

	if (ca_file && *ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			detail_set(detail, sz, "cannot read the CA file %s",
				   ca_file);
			return EINVAL;
		}
	}
	else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		detail_set(detail, sz, "no system trust store");
		return EINVAL;
	}

	/* The name or address check (RFC 6125) */
	vp_x = SSL_CTX_get0_param(ctx);
	if (0 == sa_set_str(&sa, host, 0))
		ok = X509_VERIFY_PARAM_set1_ip_asc(vp_x, host);
	else
		ok = X509_VERIFY_PARAM_set1_host(vp_x, host, 0);
	if (!ok) {
		detail_set(detail, sz, "bad host name %s", host);
		return EINVAL;
	}

	/* libre limits the chain to one certificate above the server's */
	SSL_CTX_set_verify_depth(ctx, 9);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, ca_verify_handler);

	return 0;
}


/**
 * Make an OpenSSL context verify the servers it connects to as
 * tlsc_connect() does: with a pin, or a CA file or the system store and
 * the host's name or address.  TLS 1.2 at least.
 *
 * @param ctx      The context (libre's: tls_openssl_context())
 * @param host     The server's host name or IP address (not with a pin)
 * @param pin      SHA-256 of the server certificate (hex), or NULL/""
 * @param ca_file  PEM CA file, or NULL/"" (then the system store)
 * @param vp       Returned: what a failed verification left (freed with
 *                 the context)
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsc_ctx_verify(struct ssl_ctx_st *ctx, const char *host,
		    const char *pin, const char *ca_file,
		    struct tlsc_verify **vp)
{
	int err;

	if (!ctx || !host || !vp)
		return EINVAL;

	err = ctx_verify(ctx, host, pin, ca_file, vp, NULL, 0);
	ERR_clear_error();

	return err;
}


/**
 * Run a TLS handshake on a connected socket and verify the server
 *
 * @param tcp     Returned TLS client (close with tlsc_close)
 * @param fd      Connected blocking socket; stays the caller's to close
 * @param host    Host of the URL: SNI and name check (not with a pin)
 * @param pin     SHA-256 of the server certificate (hex), or NULL/""
 * @param ca_file PEM CA file, or NULL/"" (then the system store)
 * @param detail  Returned reason of a failure, for the user; may be NULL
 * @param sz      Size of detail
 *
 * @return 0 if success, TLSC_ECERT for a certificate that failed
 *         verification, EPROTO for a failed handshake, otherwise
 *         errorcode
 */
int tlsc_connect(struct tlsc **tcp, int fd, const char *host,
		 const char *pin, const char *ca_file, char *detail,
		 size_t sz)
{
	const bool pinned = pin && *pin;
	struct tlsc *tc;
	BIO *bio;
	int err = 0, r, sys_err;

	if (!tcp || fd < 0 || !host)
		return EINVAL;

	detail_set(detail, sz, "%s", "");

	tc = calloc(1, sizeof(*tc));
	if (!tc)
		return ENOMEM;

	tc->fd = fd;

	ERR_clear_error();

	tc->ctx = SSL_CTX_new(TLS_client_method());
	if (!tc->ctx) {
		err = ENOMEM;
		goto out;
	}

	err = ctx_verify(tc->ctx, host, pin, ca_file, &tc->v, detail, sz);
	if (err)
		goto out;

	/* The reply's Content-Length says whether it is complete. */
	SSL_CTX_set_options(tc->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);

	tc->ssl = SSL_new(tc->ctx);
	if (!tc->ssl) {
		err = ENOMEM;
		goto out;
	}

	err = sni_set(tc->ssl, host);
	if (err) {
		detail_set(detail, sz, "bad host name %s", host);
		goto out;
	}

	tc->biom = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "lianluo-socket");
	if (!tc->biom) {
		err = ENOMEM;
		goto out;
	}
	(void)BIO_meth_set_write(tc->biom, bio_write);
	(void)BIO_meth_set_read(tc->biom, bio_read);
	(void)BIO_meth_set_ctrl(tc->biom, bio_ctrl);
	(void)BIO_meth_set_create(tc->biom, bio_create);

	bio = BIO_new(tc->biom);
	if (!bio) {
		err = ENOMEM;
		goto out;
	}
	BIO_set_data(bio, tc);
	SSL_set_bio(tc->ssl, bio, bio);   /* the SSL owns it now */

	r = SSL_connect(tc->ssl);
	sys_err = errno;
	if (r == 1 && pinned)
		err = pin_check(tc, detail, sz);

	if (pinned && tc->v->got[0]) {
		detail_set(detail, sz, "server certificate SHA-256 %s does"
			   " not match the pinned %s", tc->v->got, tc->v->pin);
		err = TLSC_ECERT;
		goto out;
	}

	if (r != 1) {
		const long v = SSL_get_verify_result(tc->ssl);
		const int e = SSL_get_error(tc->ssl, r);

		if (e == SSL_ERROR_SYSCALL && (sys_err == EAGAIN ||
					       sys_err == EWOULDBLOCK)) {
			detail_set(detail, sz, "no TLS handshake in time");
			err = ETIMEDOUT;
		}
		else if (!pinned && v != X509_V_OK) {
			detail_set(detail, sz, "server certificate not"
				   " trusted: %s",
				   X509_verify_cert_error_string(v));
			err = TLSC_ECERT;
		}
		else {
			detail_set(detail, sz, "TLS handshake failed (is"
				   " it an https:// server?)");
			err = EPROTO;
		}
		goto out;
	}

	if (!err && !pinned && SSL_get_verify_result(tc->ssl) != X509_V_OK)
		err = TLSC_ECERT;

 out:
	ERR_clear_error();
	if (err)
		tlsc_close(tc);
	else
		*tcp = tc;

	return err;
}


/**
 * Write all of a buffer
 *
 * @return 0 if success, otherwise errorcode
 */
int tlsc_send(struct tlsc *tc, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (!tc || (!p && n))
		return EINVAL;

	while (n) {
		const int k = SSL_write(tc->ssl, b,
					n > INT32_MAX ? INT32_MAX : (int)n);

		if (k <= 0) {
			ERR_clear_error();
			return EPIPE;
		}

		b += k;
		n -= (size_t)k;
	}

	return 0;
}


/**
 * Read what is there, at most n bytes
 *
 * @param tc  TLS client
 * @param p   Buffer
 * @param n   Its size
 * @param got Returned number of bytes; 0 when the server closed
 *
 * @return 0 if success, ETIMEDOUT, otherwise errorcode
 */
int tlsc_recv(struct tlsc *tc, void *p, size_t n, size_t *got)
{
	int k, e;

	if (!tc || !p || !got)
		return EINVAL;

	k = SSL_read(tc->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
	if (k > 0) {
		*got = (size_t)k;
		return 0;
	}

	e = SSL_get_error(tc->ssl, k);
	ERR_clear_error();

	*got = 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	if (e == SSL_ERROR_SYSCALL && (errno == EAGAIN ||
				       errno == EWOULDBLOCK))
		return ETIMEDOUT;

	return EPROTO;
}


/** Free the TLS client (NULL: no-op); the socket is the caller's. */
void tlsc_close(struct tlsc *tc)
{
	if (!tc)
		return;

	if (tc->ssl)
		SSL_free(tc->ssl);
	if (tc->ctx)
		SSL_CTX_free(tc->ctx);
	if (tc->biom)
		BIO_meth_free(tc->biom);
	free(tc);
}
