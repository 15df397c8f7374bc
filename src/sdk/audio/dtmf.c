/**
 * @file sdk/audio/dtmf.c  DTMF as RFC 4733 telephone-events
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Sending: one event per queued digit, driven by the stream's 20 ms tick
 * so that the events share the audio's RTP clock, sequence numbers and
 * SSRC.  Every packet of an event carries the event's start timestamp and
 * the duration so far (RFC 4733 2.5.1.2), the first has the marker bit
 * (2.5.1.1), and the final packet is sent three times (2.5.1.4) on three
 * ticks so that a burst of loss is less likely to take all of them.  While
 * an event is sent the stream sends no audio for that time (2.5.1.3 lets
 * the receiver mute anyway) and the audio timestamp keeps running.
 *
 * Receiving: a digit is reported once, when its first end packet arrives;
 * if every end packet was lost, when the next event starts or after one
 * second without packets.
 */
#include <string.h>
#include <re.h>
#include "common/media_sdp.h"
#include "audio.h"


enum {
	TONE_FRAMES  = 5,     /* 100 ms of tone per digit                */
	END_PACKETS  = 3,
	GAP_FRAMES   = 3,     /* 60 ms of audio between two digits       */
	VOLUME_DBM0  = 10,    /* -10 dBm0, a usual DTMF power            */
	END_BIT      = 0x80,
	MAX_EVENT    = 15,    /* 0-9 * # A-D; flash and others ignored   */
	LOST_END_MS  = 1000,
};


void ll__dtmf_tx_init(struct ll__dtmf_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
	tx->event = -1;
}


/**
 * Queue a digit to send
 *
 * @param tx     Sender state
 * @param digit  0-9, *, #, A-D (a-d accepted)
 *
 * @return 0 if success, EINVAL for another character, EOVERFLOW when full
 */
int ll__dtmf_tx_queue(struct ll__dtmf_tx *tx, char digit)
{
	if (!tx)
		return EINVAL;

	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');

	if (!strchr("0123456789*#ABCD", digit) || !digit)
		return EINVAL;

	if (tx->qlen >= sizeof(tx->queue))
		return EOVERFLOW;

	tx->queue[tx->qlen++] = digit;

	return 0;
}


static void put_payload(uint8_t p[4], int event, bool end, uint32_t dur)
{
	if (dur > 0xffff)
		dur = 0xffff;

	p[0] = (uint8_t)event;
	p[1] = (uint8_t)((end ? END_BIT : 0) | VOLUME_DBM0);
	p[2] = (uint8_t)(dur >> 8);
	p[3] = (uint8_t)dur;
}


/**
 * Decide what the current 20 ms frame carries
 *
 * @param tx        Sender state
 * @param ts        RTP timestamp of this frame
 * @param frame_ts  Frame length in timestamp units
 * @param payload   Telephone-event payload, set when true is returned
 * @param marker    Marker bit for that packet
 * @param ev_ts     RTP timestamp for that packet
 *
 * @return true to send a telephone-event packet instead of audio
 */
bool ll__dtmf_tx_frame(struct ll__dtmf_tx *tx, uint32_t ts,
		       uint32_t frame_ts, uint8_t payload[4], bool *marker,
		       uint32_t *ev_ts)
{
	bool first = false;

	if (tx->event < 0) {
		if (tx->gap) {
			--tx->gap;
			return false;
		}
		if (!tx->qlen)
			return false;

		tx->event = telev_digit2code(tx->queue[0]);
		memmove(tx->queue, tx->queue + 1, --tx->qlen);
		tx->ts = ts;
		tx->duration = 0;
		tx->ends = 0;
		first = true;
	}

	*ev_ts = tx->ts;
	*marker = first;

	if (tx->duration < TONE_FRAMES * frame_ts) {
		tx->duration += frame_ts;
		put_payload(payload, tx->event, false, tx->duration);
		return true;
	}

	put_payload(payload, tx->event, true, tx->duration);
	if (++tx->ends >= END_PACKETS) {
		tx->event = -1;
		tx->gap = GAP_FRAMES;
	}

	return true;
}


void ll__dtmf_rx_init(struct ll__dtmf_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}


static void report(struct ll__dtmf_rx *rx)
{
	int digit = telev_code2digit(rx->event);

	rx->reported = true;
	if (digit > 0 && rx->ndigits < sizeof(rx->digits))
		rx->digits[rx->ndigits++] = (char)digit;
}


/**
 * Take in one received telephone-event packet
 *
 * @param rx      Receiver state
 * @param ts      Its RTP timestamp
 * @param p       Payload
 * @param len     Payload length
 * @param now_ms  Arrival time
 */
void ll__dtmf_rx_packet(struct ll__dtmf_rx *rx, uint32_t ts,
			const uint8_t *p, size_t len, uint64_t now_ms)
{
	bool end;

	if (!rx || !p || len < 4 || p[0] > MAX_EVENT)
		return;

	end = p[1] & END_BIT;

	if (!rx->active || ts != rx->ts) {

		/* A late retransmission of an event already handled */
		if (rx->active && (int32_t)(ts - rx->ts) < 0)
			return;

		if (rx->active && !rx->reported)
			report(rx);

		rx->active = true;
		rx->reported = false;
		rx->event = p[0];
		rx->ts = ts;
	}

	rx->last_ms = now_ms;

	if (end && !rx->reported)
		report(rx);
}


/**
 * Report an event whose end packets were all lost
 *
 * @param rx      Receiver state
 * @param now_ms  Current time
 */
void ll__dtmf_rx_poll(struct ll__dtmf_rx *rx, uint64_t now_ms)
{
	if (rx && rx->active && !rx->reported &&
	    now_ms - rx->last_ms > LOST_END_MS)
		report(rx);
}
