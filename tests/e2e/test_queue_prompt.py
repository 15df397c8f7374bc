#!/usr/bin/env python3
"""A waiting caller hears the operator's WAV prompt instead of the tone.

lianluod is started with --queue-prompt pointing at an 8 kHz WAV (a 500 Hz
sine stands in for hold music, so that it can be measured); a customer
calls a skill group with nobody in it and must hear 500 Hz, not the
built-in 425 Hz tone.  A prompt in another format is refused at start-up
with a clear message.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'


def main(t):
    bad = e2e.make_tone(t.path('prompt-16k.wav'), 500, seconds=2,
                        rate=16000)
    srv = t.server(start=False, args=('--queue-prompt', bad))
    rc = srv.run_expect_exit(timeout=10)
    e2e.check(rc != 0, 'lianluod started with a 16 kHz prompt')
    e2e.check('need 16-bit 8 kHz mono WAV' in srv.log_text(),
              'no clear message about the prompt format:\n%s'
              % srv.log_text()[-800:])

    prompt = e2e.make_tone(t.path('prompt.wav'), 500, seconds=5)
    srv = t.server(args=('--queue-prompt', prompt))
    e2e.provision(srv, group='empty', number='4005', max_wait=30)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4005'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    heard = customer.wait_audio(3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)

    e2e.assert_tone(customer.recording('dec'), 500,
                    'customer hears the prompt', from_s=0.5, to_s=heard)
    e2e.assert_no_tone(customer.recording('dec'), 425,
                       'customer does not hear the tone', from_s=0.5,
                       to_s=heard)

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', end_status='abandoned',
                   hangup_side='caller', agent='')


if __name__ == '__main__':
    e2e.run(main)
