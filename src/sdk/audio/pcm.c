/**
 * @file sdk/audio/pcm.c  Sample helpers: gain, mixing, levels
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <math.h>
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


static int16_t clip(int32_t v)
{
	if (v > INT16_MAX)
		return INT16_MAX;
	if (v < INT16_MIN)
		return INT16_MIN;
	return (int16_t)v;
}


/**
 * Scale samples by a percentage, clipping what overflows
 *
 * @param sampv  Samples, changed in place
 * @param sampc  Number of samples
 * @param pct    Gain in percent (100 = unchanged, 0 = silence)
 */
void ll__pcm_gain(int16_t *sampv, size_t sampc, uint32_t pct)
{
	if (pct == 100)
		return;

	for (size_t i = 0; i < sampc; i++)
		sampv[i] = clip((int32_t)sampv[i] * (int32_t)pct / 100);
}


/**
 * Add src into dst, clipping what overflows
 *
 * @param dst    Samples, changed in place
 * @param src    Samples to add
 * @param sampc  Number of samples
 */
void ll__pcm_mix(int16_t *dst, const int16_t *src, size_t sampc)
{
	for (size_t i = 0; i < sampc; i++)
		dst[i] = clip((int32_t)dst[i] + src[i]);
}


/**
 * Sum of squares, to accumulate a level over several frames
 *
 * @param sampv  Samples
 * @param sampc  Number of samples
 *
 * @return Sum of the squared samples
 */
double ll__pcm_sumsq(const int16_t *sampv, size_t sampc)
{
	double s = 0.0;

	for (size_t i = 0; i < sampc; i++)
		s += (double)sampv[i] * sampv[i];

	return s;
}


/**
 * Level 0..100 of n samples whose squares sum to sumsq
 *
 * The scale is logarithmic, as ears and VU meters are: the RMS level in
 * dB below full scale, from -60 dBFS (0, and anything quieter, such as
 * muted or digital silence) to 0 dBFS (100).  A sine at half scale (RMS
 * -9 dBFS) reads 85; normal speech reads about 50 to 70.
 *
 * @param sumsq  Sum of squared samples
 * @param n      Number of samples
 *
 * @return Level from 0 to 100
 */
uint32_t ll__pcm_level(double sumsq, uint64_t n)
{
	double rms, dbfs;

	if (!n)
		return 0;

	rms = sqrt(sumsq / (double)n);
	if (rms < 1.0)
		return 0;

	dbfs = 20.0 * log10(rms / 32768.0);
	if (dbfs <= -60.0)
		return 0;
	if (dbfs >= 0.0)
		return 100;

	return (uint32_t)lround((dbfs + 60.0) * 100.0 / 60.0);
}
