#!/usr/bin/env python3
"""Queueing when no agent is free.

Part 1: nobody is logged in when the customer calls 4001.  lianluod answers
and plays the 425 Hz queue tone; then the agent's phone registers, and
within seconds the waiting call is bridged to it.  The CDR records the
time in queue.

Part 2: group "short" has --max-wait 3 and no agent at all.  The call to
its number 4002 is answered with the queue tone and ends by itself after
about 3 s, with a BYE that carries a Reason header (RFC 3326); the CDR says
"timeout".
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Kd3Vb9'
QUEUE_TONE = 425


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])
    e2e.provision(srv, group='short', number='4002', max_wait=3)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)

    # ---- part 1: queued, then bridged to the agent who logs in
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    heard = customer.wait_audio(3)
    e2e.assert_tone(customer.recording('dec'), QUEUE_TONE,
                    'customer hears the queue tone', from_s=0.5, to_s=heard,
                    min_fraction=0.5)  # the tone is 1 s on, 0.5 s off

    agent = t.phone('agent1', user='1001', password=AGENT_PW,
                    registrar=srv.sip_port, tone_hz=700)
    agent.wait_registered()
    registered_at = time.monotonic()
    # The call may reach the phone before the harness is attached to
    # its control port (events are then lost): ask the server instead.
    srv.wait_agent_status('agent1', 'busy', timeout=10)
    e2e.log('bridged %.1f s after the agent registered'
            % (time.monotonic() - registered_at))
    bridged_at = customer.wait_audio(0.1)  # seconds heard when bridged

    agent.wait_audio(3)
    customer.wait_audio(bridged_at + 3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)

    e2e.assert_tone(agent.recording('dec'), 1000, 'agent hears customer')
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears the agent after the queue',
                    from_s=bridged_at + 1.0,
                    to_s=e2e.wav_seconds(customer.recording('dec')) - 0.5)

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='support', agent='agent1', end_status='answered',
                   hangup_side='caller')
    e2e.assert_cdr_times(row)
    e2e.check(isinstance(row.get('queued_ms'), int) and row['queued_ms'] > 0,
              'CDR queued_ms is %r, expected the time the call was queued'
              % row.get('queued_ms'))
    waited = row['answered_ms'] - row['queued_ms']
    e2e.check(waited >= 2500,
              'CDR says the call waited %d ms in queue, it waited > 3 s'
              % waited)

    # ---- part 2: nobody in the group; max wait 3 s
    customer.dial(srv.number_uri('4002'))
    est = customer.wait_event('CALL_ESTABLISHED', 10)
    closed = customer.wait_event('CALL_CLOSED', 15)
    waited = closed['time'] - est['time']
    e2e.log('the server ended the call after %.1f s: %s'
            % (waited, closed.get('param')))
    e2e.check(2.0 <= waited <= 8.0,
              'the call with max wait 3 s ended after %.1f s' % waited)
    e2e.assert_tone(customer.recording('dec'), QUEUE_TONE,
                    'customer hears the queue tone (group short)',
                    from_s=0.5, to_s=2.0, min_fraction=0.5)
    byes = customer.received('BYE')
    e2e.check(byes, 'the customer got no BYE from the server')
    e2e.check(any(line.lower().startswith('reason:')
                  for line in byes[-1].split('\n')),
              'the BYE has no Reason header (RFC 3326):\n%s' % byes[-1])

    rows = srv.wait_cdrs(2)
    short = [r for r in rows if r.get('callee') == '4002']
    e2e.check(len(short) == 1, 'expected one CDR for 4002: %s' % rows)
    e2e.log('CDR: %s' % short[0])
    e2e.assert_cdr(short[0], direction='inbound', caller=CUSTOMER,
                   group='short', end_status='timeout')
    e2e.check(short[0].get('hangup_side') != 'caller',
              'CDR says the caller hung up; the server did')
    e2e.check(not short[0].get('agent'),
              'CDR of an unanswered call names agent %r'
              % short[0].get('agent'))

    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
