#!/usr/bin/env python3
"""A queued caller hears its position and estimated wait, then the music.

lianluod runs with --announce-period 4 and the prompts of the source tree
(found by default).  The only agent of group "support" is logged in but
not free: caller 1's call is ringing its phone, which does not answer.
Caller 2 then waits, hears the queue tone for 4 s, then "You are number
two in the queue. Your estimated wait is six minutes." (2 x 180 s of
default handle time / 1 agent), then the tone again.  Caller 1 hangs up
meanwhile; caller 2 moves up and the next announcement says "one" and
"three minutes".

What caller 2 heard is checked by measurement: each word's recording
(prompts/en/*.wav) is looked for in baresip's recording by normalized
cross-correlation (ll_wavfind), in order, and the 425 Hz tone is measured
before and after the first announcement.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CALLER1 = '13812345678'
CALLER2 = '13987654321'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Kd3Vb9'
QUEUE_TONE = 425
PERIOD_S = 4
PROMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       '..', '..', 'prompts', 'en')


def prompt(name):
    return os.path.join(PROMPTS, name + '.wav')


def find(rec, name, from_s, to_s=None):
    """Fails unless prompt `name` is in rec between from_s and to_s;
    returns (start, end) in seconds of the recording."""
    found, score, at = e2e.wavfind(rec, prompt(name), from_s, to_s)
    e2e.log('"%s": score %.3f at %.2f s (looked in %.1f..%s s)'
            % (name, score, at, from_s,
               '%.1f' % to_s if to_s is not None else 'end'))
    e2e.check(found, 'caller 2 did not hear "%s" between %.1f and %s s '
              '(best match %.3f at %.2f s)' % (name, from_s, to_s, score, at))
    return at, at + e2e.wav_seconds(prompt(name))


def refused(t, args, message):
    """lianluod must not start with these arguments, and say why."""
    srv = t.server(start=False, args=args)
    rc = srv.run_expect_exit(timeout=10)
    e2e.check(rc != 0, 'lianluod started with %s' % ' '.join(args))
    e2e.check(message in srv.log_text(), 'no clear message (%r) for %s:\n%s'
              % (message, ' '.join(args), srv.log_text()[-600:]))


def main(t):
    # Announcements without their prompts, music in the wrong format, a
    # period that is not a number: refused at start-up, not at the call.
    os.makedirs(t.path('empty-prompts', 'en'))
    refused(t, ('--announce-period', '4', '--prompt-dir',
                t.path('empty-prompts')), 'announcement prompts')
    bad = e2e.make_tone(t.path('music-16k.wav'), 500, seconds=2,
                        rate=16000)
    refused(t, ('--hold-music', bad), 'need 16-bit 8 kHz mono WAV')
    refused(t, ('--announce-period', 'often'), 'bad value')

    srv = t.server(args=('--announce-period', str(PERIOD_S)))
    e2e.provision(srv, group='support', number='4001', ring_timeout=60,
                  max_wait=60,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])
    e2e.check('queue announcements every %d' % PERIOD_S in srv.log_text(),
              'lianluod did not turn announcements on')

    agent = t.phone('agent1', user='1001', password=AGENT_PW,
                    registrar=srv.sip_port, tone_hz=700, answer='manual')
    agent.wait_registered()

    # Caller 1 takes the agent: its call rings her phone, unanswered.
    caller1 = t.phone('caller1', user=CALLER1, registrar=srv.sip_port,
                      register=False, tone_hz=1000)
    caller1.dial(srv.number_uri('4001'))
    caller1.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_event('CALL_INCOMING', 10)

    # Caller 2 is number two.
    caller2 = t.phone('caller2', user=CALLER2, registrar=srv.sip_port,
                      register=False, tone_hz=1000)
    caller2.dial(srv.number_uri('4001'))
    caller2.wait_event('CALL_ESTABLISHED', 10)

    # First announcement after 4 s of tone, about 3.5 s long; then the
    # tone.  Caller 1 gives up once caller 2 has heard it.
    caller2.wait_audio(PERIOD_S + 6)
    caller1.hangup()
    caller1.wait_event('CALL_CLOSED', 5)
    left_at = e2e.wav_seconds(caller2.recording('dec'))
    e2e.log('caller 1 hung up at %.1f s of caller 2\'s call' % left_at)

    # The second announcement, after another 4 s of tone.
    heard = caller2.wait_audio(left_at + PERIOD_S + 4)
    caller2.hangup()
    caller2.wait_event('CALL_CLOSED', 5)
    rec = caller2.recording('dec')
    e2e.log('caller 2 heard %.1f s' % heard)

    # Tone first, for the period.
    e2e.assert_tone(rec, QUEUE_TONE, 'tone before the announcement',
                    from_s=0.3, to_s=PERIOD_S - 0.5, min_fraction=0.5)

    # "You are number two in the queue. Your estimated wait is six
    # minutes.", word by word, in order.
    start, end = find(rec, 'you-are-number', PERIOD_S - 1.5, PERIOD_S + 3)
    e2e.check(start >= PERIOD_S - 1.0,
              'the announcement started at %.2f s, before %d s of music'
              % (start, PERIOD_S))
    _, end = find(rec, 'two', end - 0.1, end + 1.5)
    _, end = find(rec, 'in-the-queue', end - 0.1, end + 1.5)
    _, end = find(rec, 'your-estimated-wait-is', end - 0.1, end + 1.5)
    _, end = find(rec, 'six', end - 0.1, end + 1.5)
    _, first_end = find(rec, 'minutes', end - 0.1, end + 1.5)

    # Then the tone again, for the period.
    e2e.assert_tone(rec, QUEUE_TONE, 'tone after the announcement',
                    from_s=first_end + 0.2, to_s=first_end + PERIOD_S - 0.5,
                    min_fraction=0.5)

    # Caller 1 left: the next announcement says number one, three
    # minutes (1 x 180 s / 1 agent), and no longer "two".
    e2e.check(left_at < first_end + PERIOD_S,
              'caller 1 hung up at %.1f s, after the second announcement '
              'had begun (%.1f s)' % (left_at, first_end + PERIOD_S))
    start, end = find(rec, 'you-are-number', first_end + PERIOD_S - 1.0)
    _, end = find(rec, 'one', end - 0.1, end + 1.5)
    found, score, _ = e2e.wavfind(rec, prompt('two'), start, end + 1.0)
    e2e.check(not found, 'caller 2 still heard "two" after moving up '
              '(score %.3f)' % score)
    _, end = find(rec, 'in-the-queue', end - 0.1, end + 1.5)
    _, end = find(rec, 'your-estimated-wait-is', end - 0.1, end + 1.5)
    find(rec, 'three', end - 0.1, end + 1.5)

    rows = srv.wait_cdrs(2)
    # Both hung up while waiting, their calls ringing the agent's phone.
    e2e.check(all(r.get('end_status') in ('abandoned', 'ring-abandoned')
                  and r.get('hangup_side') == 'caller' for r in rows),
              'both callers hung up while waiting: %s' % rows)
    e2e.assert_log_clean(srv, numbers=[CALLER1, CALLER2, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])

    # The server keeps serving.
    srv.check_alive('two announced calls')


if __name__ == '__main__':
    e2e.run(main)
