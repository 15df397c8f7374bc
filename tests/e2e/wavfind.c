/**
 * @file wavfind.c  Find where a short recording occurs in a longer one
 *
 * The end-to-end tests ask whether a caller heard a given prompt (the
 * word "two" of an announcement) and when.  The snippet is slid over the
 * recording sample by sample and compared by normalized cross-correlation
 * (1.0: the same waveform, whatever the level); the best offset wins.
 * Over G.711 a prompt arrives nearly unchanged (only quantized), so a
 * played prompt scores about 0.99 and another word far less.
 *
 * Usage: ll_wavfind RECORDING.wav SNIPPET.wav [--from S] [--to S]
 *                   [--min-score X]
 *
 * Prints "score 0.987 at 5.432 s" (the snippet's start in the recording).
 * Exit status: 0 when the best score reaches --min-score (default 0.8),
 * 1 when it does not, 2 on error.  Both files: 16-bit PCM WAV, the same
 * sample rate; several channels are averaged.
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
	EXIT_FOUND   = 0,
	EXIT_MISSING = 1,
	EXIT_ERROR   = 2,
};

struct wav {
	unsigned srate;
	int16_t *samples;       /* mono */
	size_t n;
};


static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}


static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}


/*
 * Reads the whole file; the data chunk's length comes from the file size,
 * as a recorder still writing (or killed) leaves the header unfinished.
 */
static int wav_read(struct wav *w, const char *path)
{
	uint8_t *buf = NULL;
	size_t size, pos = 12;
	unsigned channels = 0, bits = 0;
	long len;
	FILE *f;
	int err = EINVAL;

	f = fopen(path, "rb");
	if (!f)
		return errno;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 12 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return EINVAL;
	}
	size = (size_t)len;
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, f) != size) {
		fclose(f);
		free(buf);
		return EIO;
	}
	fclose(f);

	if (memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4))
		goto out;

	while (pos + 8 <= size) {
		uint32_t csize = le32(buf + pos + 4);

		if (!memcmp(buf + pos, "fmt ", 4) && pos + 24 <= size) {
			channels = le16(buf + pos + 10);
			w->srate = le32(buf + pos + 12);
			bits = le16(buf + pos + 22);
		}
		else if (!memcmp(buf + pos, "data", 4)) {
			const uint8_t *d = buf + pos + 8;
			size_t frames;

			if (!channels || bits != 16)
				goto out;

			frames = (size - pos - 8) / (2 * channels);
			w->samples = calloc(frames ? frames : 1,
					    sizeof(int16_t));
			if (!w->samples) {
				err = ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < frames; i++) {
				long sum = 0;

				for (unsigned c = 0; c < channels; c++)
					sum += (int16_t)le16(d + 2 *
							     (i * channels +
							      c));
				w->samples[i] = (int16_t)(sum / (long)channels);
			}
			w->n = frames;
			err = 0;
			goto out;
		}
		pos += 8 + csize + (csize & 1);
	}

 out:
	free(buf);
	return err;
}


int main(int argc, char *argv[])
{
	struct wav rec = {0}, snip = {0};
	double from_s = 0, to_s = -1, min_score = 0.8;
	double best = -2, snip_energy = 0, win_energy = 0;
	size_t first, last, best_at = 0;
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: ll_wavfind RECORDING.wav SNIPPET.wav"
			" [--from S] [--to S] [--min-score X]\n");
		return EXIT_ERROR;
	}

	for (int i = 3; i + 1 < argc; i += 2) {
		double v = atof(argv[i + 1]);

		if (!strcmp(argv[i], "--from"))
			from_s = v;
		else if (!strcmp(argv[i], "--to"))
			to_s = v;
		else if (!strcmp(argv[i], "--min-score"))
			min_score = v;
		else {
			fprintf(stderr, "ll_wavfind: unknown option %s\n",
				argv[i]);
			return EXIT_ERROR;
		}
	}

	err = wav_read(&rec, argv[1]);
	if (!err)
		err = wav_read(&snip, argv[2]);
	if (err) {
		fprintf(stderr, "ll_wavfind: cannot read %s: %s\n",
			rec.samples ? argv[2] : argv[1], strerror(err));
		return EXIT_ERROR;
	}
	if (rec.srate != snip.srate || !snip.n) {
		fprintf(stderr, "ll_wavfind: %s is %u Hz, %s is %u Hz (or"
			" empty)\n", argv[1], rec.srate, argv[2], snip.srate);
		return EXIT_ERROR;
	}

	/* Offsets where the whole snippet fits inside [from, to]. */
	first = (size_t)(from_s * rec.srate);
	last = to_s < 0 ? rec.n : (size_t)(to_s * rec.srate);
	if (last > rec.n)
		last = rec.n;
	if (last < first + snip.n) {
		printf("score 0.000 at 0.000 s (window shorter than the"
		       " snippet)\n");
		return EXIT_MISSING;
	}
	last -= snip.n;

	for (size_t i = 0; i < snip.n; i++) {
		snip_energy += (double)snip.samples[i] * snip.samples[i];
		win_energy += (double)rec.samples[first + i] *
			rec.samples[first + i];
	}

	for (size_t k = first; k <= last; k++) {
		int64_t dot = 0;
		double score;

		for (size_t i = 0; i < snip.n; i++)
			dot += (int32_t)rec.samples[k + i] * snip.samples[i];

		/* silence matches nothing */
		if (win_energy > snip.n && snip_energy > 0) {
			score = (double)dot / sqrt(win_energy * snip_energy);
			if (score > best) {
				best = score;
				best_at = k;
			}
		}

		if (k < last) {
			double out = rec.samples[k], in = rec.samples[k +
								     snip.n];

			win_energy += in * in - out * out;
		}
	}

	printf("score %.3f at %.3f s\n", best < -1 ? 0.0 : best,
	       (double)best_at / rec.srate);

	free(rec.samples);
	free(snip.samples);

	return best >= min_score ? EXIT_FOUND : EXIT_MISSING;
}
