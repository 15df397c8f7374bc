/**
 * @file sip/sipfront.h  SIP front end: transports, registrar, B2BUA
 *
 * Copyright (C) 2026 The lianluo authors
 */

struct sipfront;
struct store;
struct acd;
struct config;

int  sipfront_alloc(struct sipfront **sfp, const struct config *cfg,
		    struct store *st, struct acd *acd);
const char *sipfront_uri(const struct sipfront *sf);
const char *sipfront_tls_uri(const struct sipfront *sf);
void sipfront_close(struct sipfront *sf);
