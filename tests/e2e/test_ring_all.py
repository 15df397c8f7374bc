#!/usr/bin/env python3
"""Ring-all and ring-progressively with real phones.

Group "all" (strategy ring-all): a customer's call rings both agents'
phones at once; agent2 answers, agent1's phone stops ringing (CANCEL) and
the customer talks to agent2 (tones measured both ways).  agent1 is not
counted as having missed the call: it stays free.

Group "prog" (strategy ring-progressively, a step of 5 s): agent1 rings
first, and about 5 s later agent2's phone rings too while agent1's is
still ringing; agent2 answers, agent1 stops ringing.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENTS = [('agent1', '1001', 'Ag1-pw-Rw4Ta8', '13700001001'),
          ('agent2', '1002', 'Ag2-pw-Gm6Yc1', '13700001002')]


def ring_both(srv, customer, number, a1, a2):
    customer.dial(srv.number_uri(number))
    customer.wait_event('CALL_ESTABLISHED', 10)
    r1 = a1.wait_event('CALL_INCOMING', 10)
    r2 = a2.wait_event('CALL_INCOMING', 12)
    return r1, r2


def talk_and_hang_up(srv, customer, a1, a2):
    a2.answer()
    a2.wait_event('CALL_ESTABLISHED', 5)
    cancelled = a1.wait_event('CALL_CLOSED', 5)
    e2e.log('agent1 stopped ringing: %s' % cancelled.get('param'))
    bridged_at = customer.wait_audio(0.1)
    a2.wait_audio(e2e.wav_seconds(a2.recording('dec')) + 3)
    customer.wait_audio(bridged_at + 3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    a2.wait_event('CALL_CLOSED', 5)
    e2e.assert_tone(a2.recording('dec'), 1000, 'agent2 hears the customer')
    e2e.assert_tone(customer.recording('dec'), 600,
                    'the customer hears agent2',
                    from_s=bridged_at + 1.0,
                    to_s=e2e.wav_seconds(customer.recording('dec')) - 0.5)
    e2e.check(srv.agent_status('agent1') == 'free',
              'agent1 who was rung with others is %s, not free'
              % srv.agent_status('agent1'))


def main(t):
    srv = t.server()
    srv.ctl('skill-group', 'create', '--name', 'all', '--strategy',
            'ring-all', '--ring-timeout', '15', '--wrap-up', '0')
    srv.ctl('skill-group', 'create', '--name', 'prog', '--strategy',
            'ring-progressively', '--ring-timeout', '20', '--wrap-up', '0')
    for user, ext, pw, phone in AGENTS:
        srv.ctl('staff', 'create', '--user', user, '--phone', phone,
                '--extension', ext, '--password', pw,
                '--skill-group', 'all', '--skill-group', 'prog')
    srv.ctl('number', 'create', '--number', '4001', '--skill-group', 'all')
    srv.ctl('number', 'create', '--number', '4002', '--skill-group', 'prog')

    a1 = e2e.agent_phone(t, srv, 'agent1', '1001', AGENTS[0][2], tone_hz=700,
                         answer='manual')
    a2 = e2e.agent_phone(t, srv, 'agent2', '1002', AGENTS[1][2], tone_hz=600,
                         answer='manual')

    # ---- ring-all: both at once
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    r1, r2 = ring_both(srv, customer, '4001', a1, a2)
    apart = abs(r2['time'] - r1['time'])
    e2e.log('ring-all: the phones rang %.2f s apart' % apart)
    e2e.check(apart < 1.5, 'ring-all rang the agents %.1f s apart' % apart)
    talk_and_hang_up(srv, customer, a1, a2)

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='all', agent='agent2', end_status='answered',
                   hangup_side='caller')
    e2e.assert_cdr_times(row)

    # ---- ring-progressively: agent1 first (idle longest), then both
    r1, r2 = ring_both(srv, customer, '4002', a1, a2)
    step = r2['time'] - r1['time']
    e2e.log('ring-progressively: agent2 rang %.1f s after agent1' % step)
    e2e.check(3.5 <= step <= 8.0,
              'agent2 rang %.1f s after agent1; the step is 5 s' % step)
    e2e.check(not a1.has_event('CALL_CLOSED'),
              'agent1 stopped ringing before agent2 was added')
    talk_and_hang_up(srv, customer, a1, a2)

    rows = srv.wait_cdrs(2)
    prog = [r for r in rows if r.get('callee') == '4002']
    e2e.check(len(prog) == 1, 'one CDR for 4002: %s' % rows)
    e2e.assert_cdr(prog[0], group='prog', agent='agent2',
                   end_status='answered')

    e2e.assert_log_clean(srv, numbers=[CUSTOMER] + [a[3] for a in AGENTS],
                         secrets=[a[2] for a in AGENTS] +
                         [srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
