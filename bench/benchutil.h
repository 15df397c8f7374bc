/**
 * @file bench/benchutil.h  What the load tools share
 *
 * Copyright (C) 2026 The lianluo authors
 */

uint64_t bu_now_us(void);
int  bu_sockbuf_by_port(uint16_t port, int size);
void bu_raise_nofile(void);
uint32_t bu_percentile(uint32_t *v, size_t n, unsigned pct);
int  bu_sdp_peer(struct sa *dst, const struct mbuf *sdp);
int  bu_sdp_print(struct mbuf **mbp, uint16_t port);
