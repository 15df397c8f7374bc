/**
 * @file bench/benchutil.h  What the load tools share
 *
 * Copyright (C) 2026 The lianluo authors
 */

enum {
	BU_SOCKBUF = 8 << 20,   /* socket buffers of the load tools */
};

uint64_t bu_now_us(void);
int  bu_sockbuf_by_port(uint16_t port, int size);
void bu_raise_nofile(void);
uint32_t bu_percentile(uint32_t *v, size_t n, unsigned pct);
int  bu_sdp_peer(struct sa *dst, const struct mbuf *sdp);
int  bu_sdp_print(struct mbuf **mbp, uint16_t port);
int  bu_sip_start(struct sip **sipp, struct sipsess_sock **sockp,
		  const char *ua, uint32_t hsize, uint16_t port, bool tcp,
		  sip_exit_h *exith, sipsess_conn_h *connh,
		  const struct sa *dst, struct sa *laddr, const char *tool);
