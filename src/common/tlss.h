/**
 * @file common/tlss.h  libre TLS contexts for lianluod's listeners
 *
 * Copyright (C) 2026 The lianluo authors
 */

struct tls;

int tlss_alloc(struct tls **tlsp, const char *cert, const char *key);
