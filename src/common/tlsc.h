/**
 * @file common/tlsc.h  Blocking TLS client that verifies the server
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Used by common/httpc for https:// URLs (lianluoctl, the SDK's login
 * worker thread).  The server's certificate is always verified, by one of
 * (first that is given):
 *
 *   - a pin: the SHA-256 of the server's certificate (DER), hex;
 *   - a CA file (PEM), with the host name or IP address checked;
 *   - the system's trust store, with the host name or IP address checked.
 *
 * A certificate that fails is TLSC_ECERT and the request is never sent;
 * there is no "accept anything" mode.  tlsc_ctx_verify() makes an OpenSSL
 * context made elsewhere (libre's, for the SDK's SIP over TLS) verify
 * servers the same way.
 */

struct tlsc;
struct x509_st;
struct ssl_ctx_st;

enum {
	TLSC_SHA256_HEX_SZ = 65,    /* 64 lowercase hex digits + NUL */
	TLSC_DETAIL_SZ     = 256,
};

/* What a context verifies with, and what a handshake refused. */
struct tlsc_verify {
	char pin[TLSC_SHA256_HEX_SZ];     /* wanted, or "" */
	char got[TLSC_SHA256_HEX_SZ];     /* a certificate that did not match */
	bool refused;                     /* a server failed verification */
	bool serving;                     /* the context also accepts
					     connections: their clients are
					     not verified by certificate */
};

/* No errno says "certificate refused"; this one reads closest. */
#define TLSC_ECERT EKEYREJECTED

int  tlsc_connect(struct tlsc **tcp, int fd, const char *host,
		  const char *pin, const char *ca_file, char *detail,
		  size_t sz);
int  tlsc_send(struct tlsc *tc, const void *p, size_t n);
int  tlsc_recv(struct tlsc *tc, void *p, size_t n, size_t *got);
void tlsc_close(struct tlsc *tc);

int  tlsc_ctx_verify(struct ssl_ctx_st *ctx, const char *host,
		     const char *pin, const char *ca_file,
		     struct tlsc_verify **vp);
int  tlsc_pin_decode(char *hex, size_t sz, const char *s);
int  tlsc_cert_sha256(char *hex, size_t sz, const struct x509_st *x);
int  tlsc_file_sha256(char *hex, size_t sz, const char *pem_path);
