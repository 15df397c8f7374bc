/**
 * @file media/player.c  Queue tone, music and prompt player
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Generates 20 ms frames on a clock and sends them as RTP to one leg of a
 * relay.  The frame count follows the time, not the clock's ticks, so a
 * late tick is caught up and the far end's jitter buffer stays fed.
 *
 * One clock (one libre timer) ticks every player: libre 1.1.0 keeps its
 * timers in one sorted list that tmr_start() walks from its end, past
 * every 32 s SIP transaction timer, so a 20 ms timer per waiting caller
 * cost 50 walks of that list a second per caller; under load, with more
 * callers waiting longer, that alone stalled the loop
 * (docs/PERFORMANCE.md, figure 1).  The clock belongs to the loop's
 * thread, as every libre object does.  What is
 * played comes from a playlist (prompts over looped music); switching
 * between them changes only the samples, so the leg hears one RTP stream
 * throughout (one SSRC, sequence numbers and timestamps running on).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <opus/opus.h>
#include <re.h>
#include <rem.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "media/media.h"


enum {
	FRAME_MS      = 20,
	MAX_CATCHUP   = 5,
	ONCE_TONE_MS  = 400,    /* stands in for a missing prompt */
	ONCE_TONE_HZ  = 425,
	OPUS_MAX_SIZE = 400,
	RTP_HDR_SIZE  = 12,
};

enum player_enc {
	ENC_PCMU,
	ENC_PCMA,
	ENC_OPUS,
};

struct player {
	struct le cle;                    /* in clockl while ticking */
	struct tmr tmr;                   /* tells the done handler */
	struct relay *relay;              /* (ref.) */
	struct playlist *pl;
	const struct media_prompt *music; /* (ref.) NULL for the tone */
	player_done_h *doneh;
	void *arg;
	enum relay_leg leg;
	enum player_enc enc;
	OpusEncoder *opus;
	uint32_t srate;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint64_t start_ms;
	uint64_t frames_sent;
	bool marker;
	bool playing;                     /* prompts pending */
	bool once;                        /* stop when they are done */
};

static struct list clockl;
static struct tmr clock_tmr;


static void destructor(void *arg)
{
	struct player *p = arg;

	list_unlink(&p->cle);
	if (list_isempty(&clockl))
		tmr_cancel(&clock_tmr);
	tmr_cancel(&p->tmr);
	if (p->opus)
		opus_encoder_destroy(p->opus);
	mem_deref(p->relay);
	mem_deref(p->pl);
	mem_deref((void *)p->music);
}


static int encode_frame(struct player *p, struct mbuf *mb)
{
	int16_t s8k[160];

	playlist_read(p->pl, s8k, ARRAY_SIZE(s8k));

	switch (p->enc) {

	case ENC_PCMU:
		for (size_t i = 0; i < ARRAY_SIZE(s8k); i++)
			mbuf_write_u8(mb, g711_pcm2ulaw(s8k[i]));
		return 0;

	case ENC_PCMA:
		for (size_t i = 0; i < ARRAY_SIZE(s8k); i++)
			mbuf_write_u8(mb, g711_pcm2alaw(s8k[i]));
		return 0;

	case ENC_OPUS: {
		int16_t s48k[960];
		opus_int32 n;
		int err;

		/* Prompts are 8 kHz: upsample by 6, linear in between. */
		for (size_t i = 0; i < ARRAY_SIZE(s8k); i++) {
			int16_t a = s8k[i];
			int16_t b = i + 1 < ARRAY_SIZE(s8k) ? s8k[i + 1] : a;

			for (int k = 0; k < 6; k++)
				s48k[i * 6 + k] = (int16_t)(a + (b - a) * k / 6);
		}

		err = mbuf_resize(mb, mb->pos + OPUS_MAX_SIZE);
		if (err)
			return err;

		n = opus_encode(p->opus, s48k, 960, mbuf_buf(mb),
				OPUS_MAX_SIZE);
		if (n < 0)
			return EPROTO;

		mbuf_set_end(mb, mb->pos + (size_t)n);
		return 0;
	}
	}

	return EINVAL;
}


static void send_frame(struct player *p)
{
	struct rtp_header hdr;
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(RTP_HDR_SIZE + OPUS_MAX_SIZE);
	if (!mb)
		return;

	memset(&hdr, 0, sizeof(hdr));
	hdr.ver  = RTP_VERSION;
	hdr.m    = p->marker;
	hdr.pt   = p->pt;
	hdr.seq  = p->seq++;
	hdr.ts   = p->ts;
	hdr.ssrc = p->ssrc;

	err = rtp_hdr_encode(mb, &hdr);
	err |= encode_frame(p, mb);
	if (!err) {
		mb->pos = 0;
		if (0 == relay_send(p->relay, p->leg, mb))
			p->marker = false;
	}

	p->ts += p->srate / (1000 / FRAME_MS);
	mem_deref(mb);
}


static void done_handler(void *arg)
{
	struct player *p = arg;

	if (p->doneh)
		p->doneh(p->arg);
}


static void tick(struct player *p, uint64_t now)
{
	uint64_t due = (now - p->start_ms) / FRAME_MS + 1;
	unsigned n = 0;
	bool done;

	while (p->frames_sent < due && n++ < MAX_CATCHUP) {
		send_frame(p);
		++p->frames_sent;

		/* Once: not a frame more than the prompt needs. */
		if (p->once && !playlist_pending(p->pl))
			break;
	}

	/* Too far behind (a stalled loop): skip rather than burst. */
	if (p->frames_sent < due)
		p->frames_sent = due;

	done = p->playing && !playlist_pending(p->pl);
	if (!done)
		return;

	p->playing = false;
	if (p->once)
		list_unlink(&p->cle);

	/* On a timer of its own: the handler may free the player, and
	 * other players are still to tick.  A 0 ms timer goes in at the
	 * list's head, without the walk. */
	if (p->doneh)
		tmr_start(&p->tmr, 0, done_handler, p);
}


static void clock_handler(void *arg)
{
	uint64_t now = tmr_jiffies();
	struct le *le = clockl.head;
	(void)arg;

	while (le) {
		struct player *p = le->data;

		le = le->next;
		tick(p, now);
	}

	if (!list_isempty(&clockl))
		tmr_start(&clock_tmr, FRAME_MS, clock_handler, NULL);
}


/**
 * Start playing to one leg of a relay; stops when dereferenced.
 *
 * @param pp      Returned player
 * @param r       Relay to send through
 * @param leg     Leg to play to
 * @param codec   Codec negotiated on that leg
 * @param music   Prompt to loop, or NULL for the queue tone
 *
 * @return 0 if success, otherwise errorcode
 */
int player_alloc(struct player **pp, struct relay *r, enum relay_leg leg,
		 const struct media_codec *codec,
		 const struct media_prompt *music)
{
	struct player *p;
	int err = 0;

	if (!pp || !r || !codec)
		return EINVAL;

	p = mem_zalloc(sizeof(*p), destructor);
	if (!p)
		return ENOMEM;

	err = playlist_alloc(&p->pl, music);
	if (err)
		goto out;

	p->relay  = mem_ref(r);
	p->music  = mem_ref((void *)music);
	p->leg    = leg;
	p->pt     = codec->pt;
	p->srate  = codec->srate;
	p->seq    = rand_u16();
	p->ts     = rand_u32();
	p->ssrc   = rand_u32();
	p->marker = true;

	if (0 == strcasecmp(codec->name, "PCMU")) {
		p->enc = ENC_PCMU;
	}
	else if (0 == strcasecmp(codec->name, "PCMA")) {
		p->enc = ENC_PCMA;
	}
	else if (0 == strcasecmp(codec->name, "opus")) {
		int oerr;

		p->enc = ENC_OPUS;
		p->opus = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP,
					      &oerr);
		if (!p->opus) {
			err = ENOMEM;
			goto out;
		}
	}
	else {
		err = ENOTSUP;
		goto out;
	}

	p->start_ms = tmr_jiffies();
	list_append(&clockl, &p->cle, p);
	if (!tmr_isrunning(&clock_tmr))
		tmr_start(&clock_tmr, 0, clock_handler, NULL);

 out:
	if (err)
		mem_deref(p);
	else
		*pp = p;

	return err;
}


/**
 * Play a prompt once, after the prompts still pending; the music pauses
 * meanwhile and resumes after the last one.
 *
 * @param p   Player
 * @param mp  Prompt
 *
 * @return 0 if success, EOVERFLOW when too many are pending
 */
int player_play(struct player *p, const struct media_prompt *mp)
{
	int err;

	if (!p || !mp)
		return EINVAL;

	err = playlist_add(p->pl, mp);
	if (!err && playlist_pending(p->pl))
		p->playing = true;

	return err;
}


/**
 * Drop the pending prompts: the music resumes at the next frame, and the
 * done handler is not called for them.
 */
void player_stop_prompts(struct player *p)
{
	if (!p)
		return;

	playlist_flush(p->pl);
	p->playing = false;
}


/**
 * Set who is told when the last pending prompt has been sent (the music
 * then plays).  The handler runs on the loop right after that frame
 * and may free the player.
 */
void player_set_done_handler(struct player *p, player_done_h *doneh,
			     void *arg)
{
	if (!p)
		return;

	p->doneh = doneh;
	p->arg = arg;
}


static void prompt_destructor(void *arg)
{
	struct media_prompt *mp = arg;

	mem_deref(mp->sampv);
}


/* A short tone, as a prompt: what plays once when there is no prompt. */
static int tone_prompt(struct media_prompt **mpp, uint32_t hz, uint32_t ms)
{
	struct media_prompt *mp;

	mp = mem_zalloc(sizeof(*mp), prompt_destructor);
	if (!mp)
		return ENOMEM;

	mp->sampc = ms * 8;
	mp->sampv = mem_alloc(mp->sampc * sizeof(int16_t), NULL);
	if (!mp->sampv) {
		mem_deref(mp);
		return ENOMEM;
	}

	for (size_t i = 0; i < mp->sampc; i++)
		mp->sampv[i] = (int16_t)(8000.0 * sin(2.0 * M_PI * hz *
						      (double)i / 8000.0));

	*mpp = mp;
	return 0;
}


/**
 * Play once instead of looping: the player's music prompt to its end (the
 * last frame padded with silence), or without one a short tone; then stop
 * sending and call doneh.  For a player just allocated.
 *
 * @param p      Player
 * @param doneh  Called once at the end (may free the player)
 * @param arg    Handler argument
 */
void player_set_once(struct player *p, player_done_h *doneh, void *arg)
{
	struct media_prompt *tone = NULL;

	if (!p)
		return;

	p->once = true;
	p->doneh = doneh;
	p->arg = arg;

	playlist_flush(p->pl);
	playlist_set_silent(p->pl, true);

	if (p->music && p->music->sampc) {
		(void)playlist_add(p->pl, p->music);
	}
	else if (0 == tone_prompt(&tone, ONCE_TONE_HZ, ONCE_TONE_MS)) {
		(void)playlist_add(p->pl, tone);
		mem_deref(tone);
	}

	p->playing = playlist_pending(p->pl) > 0;
}


static uint32_t get_le(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | p[n];

	return v;
}


/*
 * librem 0.6.0's wav_header_decode() takes the end of the file for one
 * more chunk like the one before, so a file that ends before its "data"
 * chunk makes it loop for ever (found by fuzz/fuzz_wav.c).  Walk the
 * chunks the way it does first: "fmt " (its extra bytes as its cbSize
 * field counts them, as librem skips them), then up to "data".  Each
 * step moves at least 8 bytes on and a short read ends the walk.
 */
static int wav_check(const char *path)
{
	uint8_t hdr[12], ck[8], fmt[18];
	uint32_t riff_sz;
	FILE *f;
	int err = EBADMSG;

	f = fopen(path, "rb");
	if (!f)
		return errno;

	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
		goto out;
	riff_sz = get_le(hdr + 4, 4);

	if (fread(ck, 1, sizeof(ck), f) != sizeof(ck) ||
	    memcmp(ck, "fmt ", 4) || get_le(ck + 4, 4) < 16 ||
	    fread(fmt, 1, 16, f) != 16)
		goto out;

	if (get_le(ck + 4, 4) >= 18 &&
	    (fread(fmt + 16, 1, 2, f) != 2 ||
	     fseek(f, (long)get_le(fmt + 16, 2), SEEK_CUR)))
		goto out;

	while (fread(ck, 1, sizeof(ck), f) == sizeof(ck)) {
		const uint32_t sz = get_le(ck + 4, 4);

		if (sz > riff_sz)
			break;

		if (!memcmp(ck, "data", 4)) {
			err = 0;
			break;
		}

		if (fseek(f, (long)sz, SEEK_CUR))
			break;
	}

 out:
	fclose(f);
	return err;
}


/**
 * Load a WAV prompt (16-bit PCM, 8 kHz, mono) into memory.
 *
 * @param mpp       Returned prompt
 * @param wav_path  WAV file
 *
 * @return 0 if success, ENOTSUP for another format, otherwise errorcode
 */
int media_prompt_load(struct media_prompt **mpp, const char *wav_path)
{
	struct media_prompt *mp;
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct mbuf *mb = NULL;
	int err;

	if (!mpp || !wav_path)
		return EINVAL;

	mp = mem_zalloc(sizeof(*mp), prompt_destructor);
	if (!mp)
		return ENOMEM;

	err = wav_check(wav_path);
	if (err == EBADMSG)
		log_error("media: prompt %s: not a WAV file with data",
			  wav_path);
	if (!err)
		err = aufile_open(&af, &prm, wav_path, AUFILE_READ);
	if (err)
		goto out;

	if (prm.srate != 8000 || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
		log_error("media: prompt %s: need 16-bit 8 kHz mono WAV",
			  wav_path);
		err = ENOTSUP;
		goto out;
	}

	mb = mbuf_alloc(65536);
	if (!mb) {
		err = ENOMEM;
		goto out;
	}

	for (;;) {
		uint8_t buf[4096];
		size_t sz = sizeof(buf);

		err = aufile_read(af, buf, &sz);
		if (err || !sz)
			break;
		err = mbuf_write_mem(mb, buf, sz);
		if (err)
			goto out;
		if (mb->end > 8000 * 2 * 600) {
			err = EFBIG;   /* ten minutes is plenty */
			goto out;
		}
	}
	if (err)
		goto out;

	mp->sampc = mb->end / 2;
	if (!mp->sampc) {
		err = ENODATA;
		goto out;
	}

	mp->sampv = mem_alloc(mp->sampc * sizeof(int16_t), NULL);
	if (!mp->sampv) {
		err = ENOMEM;
		goto out;
	}
	memcpy(mp->sampv, mb->buf, mp->sampc * sizeof(int16_t));

 out:
	mem_deref(af);
	mem_deref(mb);
	if (err)
		mem_deref(mp);
	else
		*mpp = mp;

	return err;
}
