/**
 * @file api/cert.c  The HTTPS listener's certificate: made when missing
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Without tls-cert and tls-key in the configuration, lianluod uses
 * DATA/tls/cert.pem and DATA/tls/key.pem, and makes them on the first
 * start: an EC P-256 key and a self-signed certificate whose subject
 * common name and subjectAltName are the listen host (an IP address as
 * an IP SAN, RFC 5280 4.2.1.6).  Clients pin its SHA-256, which
 * credentials.json records as cert_sha256.  The key is written with mode
 * 0600 under a 0700 directory, through a temporary file and a rename, so
 * a crash never leaves half a key.
 */
#include <string.h>
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <re.h>
#include "common/log.h"
#include "api/api.h"


enum {
	CERT_DAYS   = 3650,
	SERIAL_BITS = 127,
};


static int ext_add(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);

	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return EINVAL;

	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);

	return ok ? 0 : ENOMEM;
}


static int serial_set(X509 *x)
{
	BIGNUM *bn = BN_new();
	int err = 0;

	if (!bn)
		return ENOMEM;

	if (!BN_rand(bn, SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		err = ENOMEM;

	BN_free(bn);
	return err;
}


static int cert_build(X509 **xp, EVP_PKEY *key, const char *host)
{
	X509_NAME *name;
	X509 *x;
	struct sa sa;
	char san[320];
	int err = ENOMEM;

	x = X509_new();
	if (!x)
		return ENOMEM;

	if (!X509_set_version(x, 2) || serial_set(x))
		goto out;

	if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL))
		goto out;

	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const uint8_t *)"lianluo", -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const uint8_t *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key))
		goto out;

	if (0 == sa_set_str(&sa, host, 0))
		(void)re_snprintf(san, sizeof(san), "IP:%s", host);
	else
		(void)re_snprintf(san, sizeof(san), "DNS:%s", host);

	err = ext_add(x, NID_basic_constraints, "critical,CA:FALSE");
	if (!err)
		err = ext_add(x, NID_key_usage, "critical,digitalSignature");
	if (!err)
		err = ext_add(x, NID_ext_key_usage, "serverAuth");
	if (!err)
		err = ext_add(x, NID_subject_key_identifier, "hash");
	if (!err)
		err = ext_add(x, NID_subject_alt_name, san);
	if (err)
		goto out;

	err = X509_sign(x, key, EVP_sha256()) ? 0 : EPROTO;

 out:
	if (err)
		X509_free(x);
	else
		*xp = x;

	return err;
}


/* Write through path.tmp with mode, then rename. */
static int pem_write(const char *path, mode_t mode, EVP_PKEY *key, X509 *x)
{
	char tmp[512];
	FILE *f;
	int fd, err = 0, ok;

	if (re_snprintf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return ENAMETOOLONG;

	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return errno;

	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		(void)unlink(tmp);
		return err;
	}

	if (key)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(f, x);

	if (!ok)
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		(void)unlink(tmp);

	return err;
}


/**
 * Make an EC P-256 key and a self-signed certificate for host
 *
 * @param cert_path Certificate to write (PEM, mode 0644)
 * @param key_path  Key to write (PEM, mode 0600)
 * @param host      Listen host: an IP address or a DNS name
 *
 * @return 0 if success, otherwise errorcode
 */
int api_cert_make(const char *cert_path, const char *key_path,
		  const char *host)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int err;

	if (!cert_path || !key_path || !host || !*host || strlen(host) > 253)
		return EINVAL;

	key = EVP_EC_gen("P-256");
	if (!key) {
		err = ENOMEM;
		goto out;
	}

	err = cert_build(&x, key, host);
	if (err)
		goto out;

	err = pem_write(key_path, 0600, key, NULL);
	if (!err)
		err = pem_write(cert_path, 0644, NULL, x);

 out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(key);
	return err;
}


static bool file_exists(const char *path)
{
	struct stat st;

	return 0 == stat(path, &st) && S_ISREG(st.st_mode);
}


/**
 * The certificate and key of the HTTPS listener: the configured ones, or
 * DATA/tls/cert.pem and key.pem, made now when they do not exist.
 *
 * @param cert     Returned certificate path
 * @param key      Returned key path
 * @param sz       Size of each
 * @param cfg_cert Configured tls-cert, or ""
 * @param cfg_key  Configured tls-key, or ""
 * @param data_dir Data directory
 * @param host     Listen host, for a certificate made now
 *
 * @return 0 if success, otherwise errorcode
 */
int api_cert_prepare(char *cert, char *key, size_t sz, const char *cfg_cert,
		     const char *cfg_key, const char *data_dir,
		     const char *host)
{
	char dir[300];
	int err;

	if (!cert || !key || !cfg_cert || !cfg_key || !data_dir || !host)
		return EINVAL;

	if (cfg_cert[0] || cfg_key[0]) {
		if (!cfg_cert[0] || !cfg_key[0]) {
			log_error("api: give both tls-cert and tls-key");
			return EINVAL;
		}
		str_ncpy(cert, cfg_cert, sz);
		str_ncpy(key, cfg_key, sz);
		return 0;
	}

	if (re_snprintf(dir, sizeof(dir), "%s/tls", data_dir) < 0 ||
	    re_snprintf(cert, sz, "%s/cert.pem", dir) < 0 ||
	    re_snprintf(key, sz, "%s/key.pem", dir) < 0)
		return ENAMETOOLONG;

	if (file_exists(cert) && file_exists(key))
		return 0;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = errno;
		log_error("api: cannot create %s: %m", dir, err);
		return err;
	}

	err = api_cert_make(cert, key, host);
	if (err) {
		log_error("api: cannot make a certificate in %s: %m", dir,
			  err);
		return err;
	}

	log_info("api: made a self-signed certificate for %s in %s", host,
		 dir);
	return 0;
}
