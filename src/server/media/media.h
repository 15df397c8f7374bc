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
 * bridge, a player can send a leg prompts over looped music or a tone
 * (playlist.c), such as announcements worded by say.c.  Peers are
 * latched: packets go to where the peer's packets come from (symmetric
 * RTP), since phones behind NAT or on loopback often announce another
 * address in their SDP.  The relay knows nothing about calls or agents.
 * Codecs and SDP are common/media_sdp.h, shared with the SDK.  A leg can
 * be SRTP (the agent's, common/media_srtp.h): packets are decrypted as
 * they arrive and encrypted as they leave, so the rest sees plain RTP.
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
int  relay_set_srtp(struct relay *r, enum relay_leg leg,
		    const struct media_crypto *tx,
		    const struct media_crypto *rx);
uint64_t relay_srtp_dropped(const struct relay *r, enum relay_leg leg);

/* A prompt: 8 kHz mono samples, loaded once (mem_deref'able). */
struct media_prompt {
	int16_t *sampv;
	size_t sampc;
};

int  media_prompt_load(struct media_prompt **mpp, const char *wav_path);

/* Playlist: prompts played once each over looped music (a prompt, or
 * without one the 425 Hz queue tone, on 1 s, off 0.5 s), as samples. */
enum {
	PLAYLIST_MAX = 64,      /* prompts pending at once */
};

struct playlist;

int  playlist_alloc(struct playlist **plp, const struct media_prompt *music);
int  playlist_add(struct playlist *pl, const struct media_prompt *mp);
void playlist_flush(struct playlist *pl);
void playlist_set_silent(struct playlist *pl, bool silent);
size_t playlist_pending(const struct playlist *pl);
void playlist_read(struct playlist *pl, int16_t *sampv, size_t n);

/* Player: a playlist encoded in the leg's codec and sent every 20 ms. */
typedef void (player_done_h)(void *arg);

int  player_alloc(struct player **pp, struct relay *r, enum relay_leg leg,
		  const struct media_codec *codec,
		  const struct media_prompt *music);
int  player_play(struct player *p, const struct media_prompt *mp);
void player_stop_prompts(struct player *p);
void player_set_done_handler(struct player *p, player_done_h *doneh,
			     void *arg);
/* Play once instead of looping: the prompt given as music to its end, or
 * without one a short tone, then silence and doneh (the IVR's prompts). */
void player_set_once(struct player *p, player_done_h *doneh, void *arg);

/* Prompts by name: NAME.wav files of one directory, loaded at once. */
struct media_promptset;

int  media_promptset_load(struct media_promptset **psp, const char *dir,
			  const char * const *namev, size_t namec);
const struct media_prompt *media_promptset_get(
	const struct media_promptset *ps, const char *name);

/* What to say (say.c, English): prompt names, in order. */
enum {
	SAY_MAX = 40,           /* names of the longest announcement */
};

size_t say_number(const char **namev, size_t max, uint32_t n);
size_t say_queue_position(const char **namev, size_t max, uint32_t pos,
			  uint32_t ewt_s);
extern const char * const say_prompt_names[];
extern const size_t say_prompt_namec;
