#!/usr/bin/env python3
"""Ring timeout: an unanswered agent is skipped for the next one.

Group "support" rings each agent for 3 s.  agent1 registers first (so it
has been idle longest and is offered the call first) but its phone does
not answer; after about 3 s lianluod cancels that leg and offers the call
to agent2, which answers.  The CDR names agent2.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENTS = [('agent1', '1001', 'Ag1-pw-Hn5Wc3', '13700001001'),
          ('agent2', '1002', 'Ag2-pw-Pj8Ry6', '13700001002')]


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', ring_timeout=3,
                  wrap_up=1, agents=AGENTS)

    slow = e2e.agent_phone(t, srv, 'agent1', '1001', AGENTS[0][2], tone_hz=700,
                           answer='manual')
    quick = e2e.agent_phone(t, srv, 'agent2', '1002', AGENTS[1][2],
                            tone_hz=600)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))

    rang = slow.wait_event('CALL_INCOMING', 10)
    e2e.check(not quick.has_event('CALL_ESTABLISHED'),
              'agent2 was offered the call at the same time as agent1')
    stopped = slow.wait_event('CALL_CLOSED', 10)
    rang_for = stopped['time'] - rang['time']
    e2e.log('agent1 rang for %.1f s' % rang_for)
    e2e.check(2.0 <= rang_for <= 6.0,
              'agent1 rang for %.1f s with a 3 s ring timeout' % rang_for)

    # agent2 answers at once: its first event is CALL_ESTABLISHED
    offered = quick.wait_event('CALL_ESTABLISHED', 5)
    e2e.check(offered['time'] >= stopped['time'] - 0.5,
              'agent2 was offered the call before agent1 stopped ringing')
    # The customer was answered at once and heard the queue tone while
    # agent1 rang: agent2's voice starts where the recording stands now.
    bridged_at = customer.wait_audio(0.1)

    quick.wait_audio(3)
    customer.wait_audio(bridged_at + 3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    quick.wait_event('CALL_CLOSED', 5)
    e2e.check(not slow.has_event('CALL_ESTABLISHED'),
              'agent1 got connected although it never answered')

    e2e.assert_tone(quick.recording('dec'), 1000, 'agent2 hears customer')
    e2e.assert_tone(customer.recording('dec'), 600, 'customer hears agent2',
                    from_s=bridged_at + 1.0,
                    to_s=e2e.wav_seconds(customer.recording('dec')) - 0.5)

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='support', agent='agent2', end_status='answered',
                   hangup_side='caller')
    e2e.assert_cdr_times(row)

    e2e.assert_log_clean(srv, numbers=[CUSTOMER] + [a[3] for a in AGENTS],
                         secrets=[a[2] for a in AGENTS] +
                         [srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
