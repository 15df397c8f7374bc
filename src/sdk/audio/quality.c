/**
 * @file sdk/audio/quality.c  Network quality grade
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The grade follows TCCC's onNetworkQuality scale: 1 excellent, 2 good,
 * 3 poor, 4 bad, 5 very bad, 6 down.
 *
 * Formula: "down" (nothing received for 2 s or more) is 6.  Otherwise
 * each measure gets a grade from the table below and the worst of the
 * three wins, because any one of them alone spoils a conversation:
 *
 *   grade   loss %   jitter ms   RTT ms
 *     1      < 1       < 20      < 150
 *     2      < 3       < 40      < 300
 *     3      < 8       < 60      < 500
 *     4      < 15      < 100     < 800
 *     5      more      more      more
 *
 * Loss is the worse of both directions: down from our own counters over
 * the last 2 s (expected by sequence numbers against received), up from
 * the fraction lost in the peer's latest RTCP receiver report.  Jitter is
 * RFC 3550's interarrival jitter of what we receive.  RTT comes from the
 * peer's RR (A - LSR - DLSR, RFC 3550 6.4.1); 0 means "not known yet" and
 * is then left out.  The thresholds follow ITU-T G.114 (150 ms one-way
 * delay is fine for speech; past 400 ms it is not) and the usual loss
 * tolerance of G.711 with PLC (about 1 % inaudible, 5 % annoying).
 */
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


static int grade_of(uint32_t v, const uint32_t limit[4])
{
	for (int i = 0; i < 4; i++) {
		if (v < limit[i])
			return i + 1;
	}

	return 5;
}


/**
 * Grade a stream's network quality
 *
 * @param loss_pct   Worse of the loss up and down, percent
 * @param jitter_ms  Interarrival jitter
 * @param rtt_ms     Round-trip time, 0 if unknown
 * @param down       Nothing was received for 2 s or more
 *
 * @return Grade 1 (excellent) .. 6 (down)
 */
int ll__quality_grade(uint32_t loss_pct, uint32_t jitter_ms,
		      uint32_t rtt_ms, bool down)
{
	static const uint32_t loss_lim[4]   = {1, 3, 8, 15};
	static const uint32_t jitter_lim[4] = {20, 40, 60, 100};
	static const uint32_t rtt_lim[4]    = {150, 300, 500, 800};
	int g;

	if (down)
		return 6;

	g = grade_of(loss_pct, loss_lim);
	g = MAX(g, grade_of(jitter_ms, jitter_lim));
	if (rtt_ms)
		g = MAX(g, grade_of(rtt_ms, rtt_lim));

	return g;
}
