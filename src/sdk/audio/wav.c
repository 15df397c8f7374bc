/**
 * @file sdk/audio/wav.c  WAV files: a looping mono source, a mono sink
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * librem's aufile writes the WAV header only when the file is closed, so a
 * killed process leaves a file whose header says "no data".  The sink here
 * rewrites the two size fields after every write instead.  The source
 * parses the header itself so that it can seek back to the data chunk to
 * loop, and converts any rate and channel count to what the stream needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "common/log.h"
#include "common/media_sdp.h"
#include "audio.h"


enum {
	WAV_HDR_SIZE   = 44,
	FMT_PCM        = 0x0001,
	FMT_EXTENSIBLE = 0xfffe,
	INBUF_SAMPLES  = 1024,
	MIN_SRATE      = 4000,
	MAX_SRATE      = 192000,
};

struct ll__wavsrc {
	FILE *f;
	long data_off;           /* file offset of the first sample     */
	uint32_t data_len;       /* bytes of sample data                */
	uint32_t data_pos;
	uint32_t irate;
	unsigned ch;
	int loops;               /* <= 0: for ever                      */
	int played;              /* complete passes so far              */
	bool eof;                /* every pass played                   */

	int16_t inbuf[INBUF_SAMPLES];   /* mono, at irate               */
	size_t inn;
	size_t inpos;

	/* Resampler: linear interpolation up, block average down; both
	 * work for any pair of rates (44.1 kHz files, 8 kHz calls). */
	uint32_t orate;
	uint32_t acc;
	int16_t prev;
	int16_t next;
	int32_t sum;
	uint32_t cnt;
	bool primed;
	bool dry;                /* upsampling ran out of input         */
};

struct ll__wavsnk {
	int fd;
	uint32_t data_len;
};


static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}


static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}


static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}


static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}


static void src_destructor(void *arg)
{
	struct ll__wavsrc *src = arg;

	if (src->f)
		fclose(src->f);
}


/* Walk the RIFF chunks up to "data"; "fmt " must come before it. */
static int parse_header(struct ll__wavsrc *src, const char *path)
{
	uint8_t hdr[12], ck[8], fmt[40];
	bool have_fmt = false;
	long fsize;
	int err = 0;

	if (fseek(src->f, 0, SEEK_END) || (fsize = ftell(src->f)) < 0 ||
	    fseek(src->f, 0, SEEK_SET))
		return EIO;

	if (fread(hdr, 1, sizeof(hdr), src->f) != sizeof(hdr) ||
	    memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4)) {
		log_warn("audio: %s: not a WAV file", path);
		return EBADMSG;
	}

	for (;;) {
		uint32_t sz;

		if (fread(ck, 1, sizeof(ck), src->f) != sizeof(ck)) {
			log_warn("audio: %s: WAV file without data", path);
			return EBADMSG;
		}
		sz = get_le32(ck + 4);

		if (!memcmp(ck, "fmt ", 4)) {
			uint32_t take = MIN(sz, (uint32_t)sizeof(fmt));
			uint16_t format, bps;

			if (sz < 16 || fread(fmt, 1, take, src->f) != take ||
			    fseek(src->f, (long)(sz - take), SEEK_CUR)) {
				log_warn("audio: %s: bad WAV fmt chunk", path);
				return EBADMSG;
			}
			format    = get_le16(fmt);
			src->ch   = get_le16(fmt + 2);
			src->irate = get_le32(fmt + 4);
			bps       = get_le16(fmt + 14);

			if (format == FMT_EXTENSIBLE && take >= 26)
				format = get_le16(fmt + 24);

			if (format != FMT_PCM || bps != 16 ||
			    src->ch < 1 || src->ch > 2 ||
			    src->irate < MIN_SRATE || src->irate > MAX_SRATE) {
				log_warn("audio: %s: need 16-bit PCM WAV, "
					 "mono or stereo", path);
				return ENOTSUP;
			}
			have_fmt = true;
			if (sz & 1)
				(void)fseek(src->f, 1, SEEK_CUR);
		}
		else if (!memcmp(ck, "data", 4)) {
			if (!have_fmt) {
				log_warn("audio: %s: WAV data before fmt",
					 path);
				return EBADMSG;
			}
			src->data_off = ftell(src->f);

			/* A writer that was killed may have left 0 or
			 * 0xffffffff: trust the file's real size. */
			if (src->data_off + (long)sz > fsize || sz == 0)
				sz = (uint32_t)(fsize - src->data_off);
			src->data_len = sz - sz % (2 * src->ch);
			break;
		}
		else if (fseek(src->f, (long)sz + (sz & 1), SEEK_CUR)) {
			return EBADMSG;
		}
	}

	if (!src->data_len) {
		log_warn("audio: %s: WAV file has no samples", path);
		err = ENODATA;
	}

	return err;
}


/**
 * Open a WAV file as a sample source
 *
 * @param srcp   Returned source
 * @param path   16-bit PCM WAV file, any rate, mono or stereo
 * @param loops  Passes to play; 0 or less loops for ever
 *
 * @return 0 if success, ENOENT (no file), EBADMSG (not WAV), ENOTSUP
 *         (another sample format), ENODATA (empty), otherwise errorcode
 */
int ll__wavsrc_alloc(struct ll__wavsrc **srcp, const char *path, int loops)
{
	struct ll__wavsrc *src;
	int err;

	if (!srcp || !str_isset(path))
		return EINVAL;

	src = mem_zalloc(sizeof(*src), src_destructor);
	if (!src)
		return ENOMEM;

	src->loops = loops;

	src->f = fopen(path, "rb");
	if (!src->f) {
		err = errno;
		log_warn("audio: cannot open %s: %m", path, err);
		goto out;
	}

	err = parse_header(src, path);

 out:
	if (err)
		mem_deref(src);
	else
		*srcp = src;

	return err;
}


/* Refill the input buffer, rewinding at the end of the data to loop. */
static bool refill(struct ll__wavsrc *src)
{
	uint8_t raw[INBUF_SAMPLES * 2];
	unsigned rewinds = 0;

	while (!src->eof) {
		size_t want = sizeof(raw) - sizeof(raw) % (2 * src->ch);
		size_t n;

		if (want > src->data_len - src->data_pos)
			want = src->data_len - src->data_pos;

		n = want ? fread(raw, 1, want, src->f) : 0;
		n -= n % (2 * src->ch);
		if (n) {
			src->data_pos += (uint32_t)n;
			src->inn = n / (2 * src->ch);
			src->inpos = 0;

			for (size_t i = 0; i < src->inn; i++) {
				const uint8_t *p = raw + i * 2 * src->ch;
				int32_t v = (int16_t)get_le16(p);

				if (src->ch == 2)
					v = (v + (int16_t)get_le16(p + 2)) / 2;
				src->inbuf[i] = (int16_t)v;
			}
			return true;
		}

		/* End of one pass.  A file that yields nothing twice in a
		 * row (truncated under us) ends instead of spinning. */
		++src->played;
		if ((src->loops > 0 && src->played >= src->loops) ||
		    ++rewinds > 1 ||
		    fseek(src->f, src->data_off, SEEK_SET)) {
			src->eof = true;
			break;
		}
		src->data_pos = 0;
	}

	return false;
}


static bool next_in(struct ll__wavsrc *src, int16_t *x)
{
	if (src->inpos >= src->inn && !refill(src))
		return false;

	*x = src->inbuf[src->inpos++];
	return true;
}


/**
 * Read mono samples at a given rate; past the end, silence
 *
 * @param src    WAV source
 * @param srate  Rate wanted (may change between calls)
 * @param sampv  Buffer for sampc samples
 * @param sampc  Samples wanted
 *
 * @return Number of samples that came from the file
 */
size_t ll__wavsrc_read(struct ll__wavsrc *src, uint32_t srate,
		       int16_t *sampv, size_t sampc)
{
	size_t i;

	if (!src || !sampv || !srate)
		return 0;

	if (srate != src->orate) {
		src->orate = srate;
		src->acc = 0;
		src->sum = 0;
		src->cnt = 0;
		src->primed = false;
	}

	for (i = 0; i < sampc; i++) {
		int16_t x;

		if (src->irate == src->orate) {
			if (!next_in(src, &x))
				break;
			sampv[i] = x;
		}
		else if (src->irate < src->orate) {
			if (!src->primed) {
				if (!next_in(src, &src->prev))
					break;
				if (!next_in(src, &src->next))
					src->next = src->prev;
				src->primed = true;
			}
			if (src->dry)
				break;

			/* 64 bits: a step of up to 65535 times acc (up to
			 * 192000) does not fit 32 */
			sampv[i] = (int16_t)(src->prev +
				(int64_t)(src->next - src->prev) *
				(int64_t)src->acc / (int64_t)src->orate);

			src->acc += src->irate;
			while (src->acc >= src->orate) {
				src->acc -= src->orate;
				src->prev = src->next;
				if (!next_in(src, &src->next)) {
					src->dry = true;
					break;
				}
			}
		}
		else {
			bool got = false;

			while (next_in(src, &x)) {
				src->sum += x;
				++src->cnt;
				src->acc += src->orate;
				if (src->acc >= src->irate) {
					src->acc -= src->irate;
					got = true;
					break;
				}
			}
			if (!got)
				break;

			sampv[i] = (int16_t)(src->sum / (int32_t)src->cnt);
			src->sum = 0;
			src->cnt = 0;
		}
	}

	if (i < sampc)
		memset(&sampv[i], 0, (sampc - i) * sizeof(*sampv));

	return i;
}


/**
 * Tell whether a source has played all its passes
 *
 * @param src  WAV source
 *
 * @return true when nothing more comes from the file
 */
bool ll__wavsrc_done(const struct ll__wavsrc *src)
{
	return src ? src->eof && src->inpos >= src->inn &&
		(src->dry || src->irate >= src->orate) : true;
}


static void snk_destructor(void *arg)
{
	struct ll__wavsnk *snk = arg;

	if (snk->fd >= 0)
		(void)close(snk->fd);
}


static int write_sizes(struct ll__wavsnk *snk)
{
	uint8_t v[4];

	put_le32(v, WAV_HDR_SIZE - 8 + snk->data_len);
	if (pwrite(snk->fd, v, 4, 4) != 4)
		return errno ? errno : EIO;

	put_le32(v, snk->data_len);
	if (pwrite(snk->fd, v, 4, 40) != 4)
		return errno ? errno : EIO;

	return 0;
}


/**
 * Create (truncate) a mono 16-bit PCM WAV file
 *
 * The file is created with mode 0600: it holds a call's audio.
 *
 * @param snkp   Returned sink
 * @param path   File to write
 * @param srate  Sample rate
 *
 * @return 0 if success, otherwise errorcode
 */
int ll__wavsnk_alloc(struct ll__wavsnk **snkp, const char *path,
		     uint32_t srate)
{
	struct ll__wavsnk *snk;
	uint8_t h[WAV_HDR_SIZE];
	int err = 0;

	if (!snkp || !str_isset(path) || !srate)
		return EINVAL;

	snk = mem_zalloc(sizeof(*snk), snk_destructor);
	if (!snk)
		return ENOMEM;

	snk->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (snk->fd < 0) {
		err = errno;
		log_warn("audio: cannot create %s: %m", path, err);
		goto out;
	}

	memcpy(h, "RIFF", 4);
	put_le32(h + 4, WAV_HDR_SIZE - 8);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, FMT_PCM);
	put_le16(h + 22, 1);
	put_le32(h + 24, srate);
	put_le32(h + 28, srate * 2);
	put_le16(h + 32, 2);
	put_le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, 0);

	if (write(snk->fd, h, sizeof(h)) != (ssize_t)sizeof(h)) {
		err = errno ? errno : EIO;
		log_warn("audio: cannot write %s: %m", path, err);
	}

 out:
	if (err)
		mem_deref(snk);
	else
		*snkp = snk;

	return err;
}


/**
 * Append samples and make the header match the new length
 *
 * @param snk    WAV sink
 * @param sampv  Samples
 * @param sampc  Number of samples
 *
 * @return 0 if success, EFBIG past 4 GiB, otherwise errorcode
 */
int ll__wavsnk_write(struct ll__wavsnk *snk, const int16_t *sampv,
		     size_t sampc)
{
	uint8_t raw[INBUF_SAMPLES * 2];

	if (!snk || !sampv)
		return EINVAL;

	while (sampc) {
		size_t n = sampc < INBUF_SAMPLES ? sampc : INBUF_SAMPLES;

		if ((uint64_t)snk->data_len + 2 * n >
		    UINT32_MAX - WAV_HDR_SIZE)
			return EFBIG;

		for (size_t i = 0; i < n; i++)
			put_le16(raw + 2 * i, (uint16_t)sampv[i]);

		if (write(snk->fd, raw, 2 * n) != (ssize_t)(2 * n))
			return errno ? errno : EIO;

		snk->data_len += (uint32_t)(2 * n);
		sampv += n;
		sampc -= n;
	}

	return write_sizes(snk);
}
