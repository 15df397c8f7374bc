/**
 * @file tonecheck.c  Tell whether a WAV file holds a given tone
 *
 * The end-to-end tests record what each SIP peer heard and ask this tool
 * whether the expected tone is in it (or not).  The file is cut into
 * 100 ms windows; in each window the Goertzel algorithm, evaluated at the
 * exact target frequency (not the nearest DFT bin) over a Hann-windowed
 * block, estimates the tone's power, which is compared with the window's
 * total power.  A window "has the tone" when the tone carries at least
 * half of the energy and the window is not silent.
 *
 * Usage: ll_tonecheck FILE.wav FREQ_HZ [--from S] [--to S]
 *                     [--min-fraction F] [--absent] [--silence DBFS]
 *
 * Exit status: 0 when the check holds, 1 when it does not, 2 on error.
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum {
	EXIT_HOLDS = 0,
	EXIT_FAILS = 1,
	EXIT_ERROR = 2,
	WINDOW_MS  = 100,
	FMT_PCM        = 0x0001,
	FMT_EXTENSIBLE = 0xfffe,
};

/* A window "has the tone" when the tone carries this share of its power */
static const double TONE_SHARE = 0.5;

/* In --absent mode, the tone may be in fewer than this share of windows */
static const double ABSENT_MAX_FRACTION = 0.05;

/* Windows quieter than this (dB below full scale) count as silent */
static const double DEFAULT_SILENCE_DBFS = -50.0;

static const double PI = 3.14159265358979323846;


struct wav {
	unsigned channels;
	unsigned srate;
	int16_t *samples;       /* mono: the channels averaged */
	size_t nsamples;
};

struct opts {
	const char *path;
	double freq;
	double from_s;
	double to_s;            /* < 0: to the end */
	double min_fraction;
	double silence_dbfs;
	int absent;
};


static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}


static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
		((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}


static int read_file(const char *path, uint8_t **bufp, size_t *lenp)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "tonecheck: %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}

	for (;;) {
		if (cap - len < 65536) {
			uint8_t *nbuf;

			cap = cap ? cap * 2 : 262144;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				fprintf(stderr, "tonecheck: out of memory\n");
				free(buf);
				fclose(f);
				return EXIT_ERROR;
			}
			buf = nbuf;
		}

		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}

	if (ferror(f)) {
		fprintf(stderr, "tonecheck: %s: read error\n", path);
		free(buf);
		fclose(f);
		return EXIT_ERROR;
	}

	fclose(f);
	*bufp = buf;
	*lenp = len;

	return 0;
}


/*
 * Checks the "fmt " chunk: 16-bit integer PCM, one or two channels.
 * WAVE_FORMAT_EXTENSIBLE is accepted when its sub-format is PCM, because
 * some writers use it even for plain stereo.
 */
static int parse_fmt(const char *path, const uint8_t *p, uint32_t size,
		     struct wav *wav)
{
	unsigned tag, bits;

	if (size < 16) {
		fprintf(stderr, "tonecheck: %s: fmt chunk too short\n", path);
		return EXIT_ERROR;
	}

	tag = le16(p);
	wav->channels = le16(p + 2);
	wav->srate = le32(p + 4);
	bits = le16(p + 14);

	if (tag == FMT_EXTENSIBLE && size >= 40)
		tag = le16(p + 24);  /* the sub-format GUID's first bytes */

	if (tag != FMT_PCM) {
		fprintf(stderr, "tonecheck: %s: format tag 0x%04x is not "
			"integer PCM\n", path, tag);
		return EXIT_ERROR;
	}
	if (bits != 16) {
		fprintf(stderr, "tonecheck: %s: %u bits per sample, only 16 "
			"supported\n", path, bits);
		return EXIT_ERROR;
	}
	if (wav->channels < 1 || wav->channels > 2) {
		fprintf(stderr, "tonecheck: %s: %u channels, only mono or "
			"stereo supported\n", path, wav->channels);
		return EXIT_ERROR;
	}
	if (wav->srate < 1000 || wav->srate > 384000) {
		fprintf(stderr, "tonecheck: %s: implausible sample rate %u\n",
			path, wav->srate);
		return EXIT_ERROR;
	}

	return 0;
}


static int load_samples(const char *path, const uint8_t *p, size_t size,
			struct wav *wav)
{
	size_t frame = 2 * (size_t)wav->channels;
	size_t i;

	wav->nsamples = size / frame;
	wav->samples = calloc(wav->nsamples ? wav->nsamples : 1,
			      sizeof(*wav->samples));
	if (!wav->samples) {
		fprintf(stderr, "tonecheck: %s: out of memory\n", path);
		return EXIT_ERROR;
	}

	for (i = 0; i < wav->nsamples; i++) {
		const uint8_t *s = p + i * frame;
		int32_t v = (int16_t)le16(s);

		if (wav->channels == 2)
			v = (v + (int16_t)le16(s + 2)) / 2;

		wav->samples[i] = (int16_t)v;
	}

	return 0;
}


/*
 * Walks the RIFF chunks.  A recorder killed before it closed its file
 * leaves a data size of 0 or one past the end of the file: the data chunk
 * then runs to the end of the file, which is what was really written.
 */
static int parse_wav(const char *path, const uint8_t *buf, size_t len,
		     struct wav *wav)
{
	size_t pos = 12;
	int have_fmt = 0;
	int err;

	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
		fprintf(stderr, "tonecheck: %s: not a RIFF/WAVE file\n", path);
		return EXIT_ERROR;
	}

	while (pos + 8 <= len) {
		const uint8_t *id = buf + pos;
		size_t size = le32(buf + pos + 4);
		size_t avail = len - pos - 8;

		if (!memcmp(id, "fmt ", 4)) {
			if (size > avail) {
				fprintf(stderr, "tonecheck: %s: truncated fmt "
					"chunk\n", path);
				return EXIT_ERROR;
			}
			err = parse_fmt(path, buf + pos + 8, (uint32_t)size,
					wav);
			if (err)
				return err;
			have_fmt = 1;
		}
		else if (!memcmp(id, "data", 4)) {
			if (!have_fmt) {
				fprintf(stderr, "tonecheck: %s: data chunk "
					"before fmt chunk\n", path);
				return EXIT_ERROR;
			}
			if (size == 0 || size > avail)
				size = avail;

			return load_samples(path, buf + pos + 8, size, wav);
		}

		/* unknown chunks (LIST, fact, PEAK ...) are skipped */
		pos += 8 + size + (size & 1);
	}

	fprintf(stderr, "tonecheck: %s: no %s chunk\n", path,
		have_fmt ? "data" : "fmt");

	return EXIT_ERROR;
}


/*
 * Estimates the share of a block's power carried by a sine at freq.
 * The block is Hann-windowed so that a tone a few Hz off target (codec,
 * resampler, another generator) still scores close to 1, and so that
 * leakage from other tones stays small.
 */
static double tone_share(const int16_t *x, size_t n, double srate,
			 double freq, double *msp)
{
	double w0 = 2.0 * PI * freq / srate;
	double coeff = 2.0 * cos(w0);
	double s1 = 0.0, s2 = 0.0, wsum = 0.0, energy = 0.0;
	double re, im, amp, ms;
	size_t i;

	for (i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2.0 * PI * (double)i / (double)n);
		double v = (double)x[i] / 32768.0;
		double s0 = w * v + coeff * s1 - s2;

		s2 = s1;
		s1 = s0;
		wsum += w;
		energy += v * v;
	}

	re = s1 - s2 * cos(w0);
	im = s2 * sin(w0);

	ms = energy / (double)n;
	*msp = ms;
	if (ms <= 0.0 || wsum <= 0.0)
		return 0.0;

	/* amplitude of the tone, then its mean power over total mean power */
	amp = 2.0 * sqrt(re * re + im * im) / wsum;

	return (amp * amp / 2.0) / ms;
}


static double to_dbfs(double ms)
{
	/* full-scale square wave is 0 dBFS; a full-scale sine is -3 dBFS */
	return ms > 0.0 ? 10.0 * log10(ms) : -200.0;
}


static void usage(void)
{
	fprintf(stderr,
		"usage: ll_tonecheck FILE.wav FREQ_HZ [--from S] [--to S]\n"
		"                    [--min-fraction F] [--absent] "
		"[--silence DBFS]\n"
		"  Checks that FREQ_HZ carries >= 50%% of the energy in at "
		"least\n"
		"  F (default 0.5) of the 100 ms windows between --from and "
		"--to;\n"
		"  --absent checks that it does so in fewer than 5%% of "
		"them.\n"
		"  exit 0: holds, 1: does not hold, 2: error\n");
}


static int parse_num(const char *s, double *vp)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v)) {
		fprintf(stderr, "tonecheck: bad number '%s'\n", s);
		return EXIT_ERROR;
	}

	*vp = v;

	return 0;
}


static int parse_args(int argc, char *argv[], struct opts *o)
{
	int i, npos = 0;
	int err;

	o->from_s = 0.0;
	o->to_s = -1.0;
	o->min_fraction = 0.5;
	o->silence_dbfs = DEFAULT_SILENCE_DBFS;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		double *dst = NULL;

		if (!strcmp(a, "--absent")) {
			o->absent = 1;
			continue;
		}
		else if (!strcmp(a, "--from"))
			dst = &o->from_s;
		else if (!strcmp(a, "--to"))
			dst = &o->to_s;
		else if (!strcmp(a, "--min-fraction"))
			dst = &o->min_fraction;
		else if (!strcmp(a, "--silence"))
			dst = &o->silence_dbfs;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return EXIT_ERROR;
		}
		else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "tonecheck: unknown option %s\n", a);
			usage();
			return EXIT_ERROR;
		}

		if (dst) {
			if (++i >= argc) {
				fprintf(stderr, "tonecheck: %s needs a "
					"value\n", a);
				return EXIT_ERROR;
			}
			err = parse_num(argv[i], dst);
			if (err)
				return err;
			continue;
		}

		if (npos == 0)
			o->path = a;
		else if (npos == 1) {
			err = parse_num(a, &o->freq);
			if (err)
				return err;
		}
		++npos;
	}

	if (npos != 2) {
		usage();
		return EXIT_ERROR;
	}
	if (o->freq <= 0.0) {
		fprintf(stderr, "tonecheck: frequency must be positive\n");
		return EXIT_ERROR;
	}
	if (o->from_s < 0.0 || (o->to_s >= 0.0 && o->to_s <= o->from_s)) {
		fprintf(stderr, "tonecheck: empty time range\n");
		return EXIT_ERROR;
	}
	if (o->min_fraction < 0.0 || o->min_fraction > 1.0) {
		fprintf(stderr, "tonecheck: --min-fraction must be in "
			"[0, 1]\n");
		return EXIT_ERROR;
	}

	return 0;
}


int main(int argc, char *argv[])
{
	struct opts o;
	struct wav wav;
	uint8_t *buf = NULL;
	size_t len = 0, win, first, last, start;
	size_t nwin = 0, npresent = 0, nsound = 0;
	double share_sum = 0.0, ms_sum = 0.0, fraction;
	int err, holds;

	memset(&o, 0, sizeof(o));
	memset(&wav, 0, sizeof(wav));

	err = parse_args(argc, argv, &o);
	if (err)
		return err;

	err = read_file(o.path, &buf, &len);
	if (err)
		return err;

	err = parse_wav(o.path, buf, len, &wav);
	free(buf);
	if (err)
		goto out;

	if (o.freq >= wav.srate / 2.0) {
		fprintf(stderr, "tonecheck: %g Hz is not below the Nyquist "
			"frequency of %g Hz\n", o.freq, wav.srate / 2.0);
		err = EXIT_ERROR;
		goto out;
	}

	win = (size_t)wav.srate * WINDOW_MS / 1000;
	first = (size_t)(o.from_s * wav.srate);
	last = wav.nsamples;
	if (o.to_s >= 0.0 && (size_t)(o.to_s * wav.srate) < last)
		last = (size_t)(o.to_s * wav.srate);

	/* only whole windows: a partial one would skew its power estimate */
	for (start = first; start + win <= last; start += win) {
		double ms, share;

		share = tone_share(wav.samples + start, win, wav.srate,
				   o.freq, &ms);
		++nwin;
		ms_sum += ms;

		if (to_dbfs(ms) < o.silence_dbfs)
			continue;

		++nsound;
		share_sum += share;
		if (share >= TONE_SHARE)
			++npresent;
	}

	if (nwin == 0) {
		fprintf(stderr, "tonecheck: %s: no whole %d ms window in the "
			"range (file is %.2f s long)\n", o.path, WINDOW_MS,
			(double)wav.nsamples / wav.srate);
		err = EXIT_ERROR;
		goto out;
	}

	fraction = (double)npresent / (double)nwin;
	printf("tone %g Hz: present in %zu/%zu windows (%.2f), "
	       "mean share %.2f, rms %.1f dBFS\n",
	       o.freq, npresent, nwin, fraction,
	       nsound ? share_sum / (double)nsound : 0.0,
	       to_dbfs(ms_sum / (double)nwin));

	if (o.absent)
		holds = fraction < ABSENT_MAX_FRACTION;
	else
		holds = fraction >= o.min_fraction;

	err = holds ? EXIT_HOLDS : EXIT_FAILS;

 out:
	free(wav.samples);

	return err;
}
