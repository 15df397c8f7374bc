#!/usr/bin/env python3
"""A waiting caller hears the queue prompt once, then the hold music looped.

lianluod runs with --queue-prompt (a 2 s, 500 Hz WAV standing in for "Thank
you for calling") and --hold-music (a 1.5 s, 600 Hz WAV, so that a few
seconds of waiting go round the loop several times).  A customer calls a
skill group with nobody in it: 500 Hz for the first 2 s only, then 600 Hz
without a gap, and never the built-in 425 Hz tone.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
PROMPT_HZ = 500
MUSIC_HZ = 600


def main(t):
    prompt = e2e.make_tone(t.path('welcome.wav'), PROMPT_HZ, seconds=2)
    music = e2e.make_tone(t.path('music.wav'), MUSIC_HZ, seconds=1.5)
    srv = t.server(args=('--queue-prompt', prompt, '--hold-music', music))
    e2e.provision(srv, group='empty', number='4005', max_wait=30)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4005'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    heard = customer.wait_audio(7)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    rec = customer.recording('dec')

    e2e.assert_tone(rec, PROMPT_HZ, 'the queue prompt first',
                    from_s=0.3, to_s=1.8)
    e2e.assert_tone(rec, MUSIC_HZ, 'then the hold music, round its loop',
                    from_s=2.3, to_s=heard - 0.3, min_fraction=0.9)
    e2e.assert_no_tone(rec, PROMPT_HZ, 'the prompt is played once',
                       from_s=2.3, to_s=heard - 0.3)
    e2e.assert_no_tone(rec, 425, 'no queue tone with hold music',
                       from_s=0.3, to_s=heard - 0.3)

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', end_status='abandoned',
                   hangup_side='caller', agent='')
    e2e.assert_log_clean(srv, numbers=[CUSTOMER])


if __name__ == '__main__':
    e2e.run(main)
