/**
 * @file media/media.h  Media anchoring: RTP relay, prompt player, SDP
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * DESIGN: every call has one relay with two UDP sockets, one per leg (A =
 * the side that called us, B = the side we called).  RTP is forwarded
 * unchanged between the legs once they are bridged; the codec is the same
 * on both legs because the B offer is built from what A negotiated (or the
 * A answer from what B chose), so nothing is transcoded.  Before the
 * bridge, a player can send a tone or a WAV prompt to a leg.  Peers are
 * latched: packets go to where the peer's packets come from (symmetric
 * RTP), since phones behind NAT or on loopback often announce another
 * address in their SDP.  The relay knows nothing about calls or agents.
 * Codecs and SDP are common/media_sdp.h, shared with the SDK.
 */

enum relay_leg {
	RELAY_A = 0,
	RELAY_B = 1,
};

struct relay_stats {
	uint64_t pkts[2];     /* received on each leg */
	uint64_t fwd[2];      /* forwarded from each leg to the other */
};

struct relay;
struct player;

/* Sees each RTP packet a leg receives (mb at its first byte; restore
 * mb->pos if it is moved), bridged or not.  It runs inside the relay's
 * receive path: it must not free the relay. */
typedef void (relay_recv_h)(enum relay_leg leg, struct mbuf *mb, void *arg);

/* A prompt played once has ended. */
typedef void (player_done_h)(void *arg);

int  relay_alloc(struct relay **rp, const struct sa *laddr);
uint16_t relay_port(const struct relay *r, enum relay_leg leg);
void relay_set_peer(struct relay *r, enum relay_leg leg,
		    const struct sa *addr);
void relay_set_clock(struct relay *r, uint32_t clock_rate);
void relay_bridge(struct relay *r, bool on);
int  relay_send(struct relay *r, enum relay_leg leg, struct mbuf *mb);
void relay_stats(const struct relay *r, struct relay_stats *st);
void relay_set_recv_handler(struct relay *r, enum relay_leg leg,
			    relay_recv_h *recvh, void *arg);

/* A prompt: 8 kHz mono samples, loaded once (mem_deref'able). */
struct media_prompt {
	int16_t *sampv;
	size_t sampc;
};

int  media_prompt_load(struct media_prompt **mpp, const char *wav_path);

/* Player: the prompt in a loop, or without one a 425 Hz queue tone (on
 * 1 s, off 0.5 s), encoded in the leg's codec and sent every 20 ms. */
int  player_alloc(struct player **pp, struct relay *r, enum relay_leg leg,
		  const struct media_codec *codec,
		  const struct media_prompt *prompt);
/* Play once instead of looping: the prompt to its end, or without one
 * a short tone, then silence and doneh. */
void player_set_once(struct player *p, player_done_h *doneh, void *arg);
