#!/usr/bin/env python3
"""A BYE that never comes: the media timeout ends the call.

lianluod runs with --media-timeout 3.  Part 1: the customer's phone is
killed (kill -9) in the middle of a call with the agent, so no BYE is
sent.  Within a few seconds lianluod notices that no RTP comes from the
customer any more, sends BYE to the agent, writes the CDR (answered, hung
up by the caller, SIP code 408) and the agent is no longer busy: no agent
stays stuck "in call" after a lost BYE.  Part 2: a second customer waits
in a queue with no agent and is killed too: the call leaves the queue and
its CDR says abandoned.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
CUSTOMER2 = '13912345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Lb7Qz2'


def main(t):
    srv = t.server(args=['--media-timeout', '3'])
    e2e.provision(srv, group='support', number='4001', wrap_up=0,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])
    e2e.provision(srv, group='empty', number='4002', max_wait=120)

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)

    # ---- part 1: the customer vanishes mid-call
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('agent1', 'busy', timeout=10)
    agent.wait_audio(2)

    customer.proc.kill9()
    killed = time.monotonic()
    agent.wait_event('CALL_CLOSED', 12)
    after = time.monotonic() - killed
    e2e.log('the agent got BYE %.1f s after the customer vanished' % after)
    e2e.check(2.0 <= after <= 9.0,
              'BYE to the agent %.1f s after the customer vanished; the '
              'media timeout is 3 s' % after)
    srv.wait_agent_status('agent1', 'free', timeout=5)

    row = srv.wait_cdrs(1)[0]
    e2e.log('CDR: %s' % row)
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='support', agent='agent1', end_status='answered',
                   hangup_side='caller')
    e2e.check(row.get('end_scode') == 408,
              'CDR end_scode %r, expected 408 (media timeout)'
              % row.get('end_scode'))

    # the agent takes the next call as usual
    customer3 = t.phone('customer3', user=CUSTOMER, registrar=srv.sip_port,
                        register=False, tone_hz=1000)
    customer3.dial(srv.number_uri('4001'))
    customer3.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('agent1', 'busy', timeout=10)
    agent.wait_audio(e2e.wav_seconds(agent.recording('dec')) + 1)
    customer3.hangup()
    customer3.wait_event('CALL_CLOSED', 5)

    # ---- part 2: a queued customer vanishes
    customer2 = t.phone('customer2', user=CUSTOMER2, registrar=srv.sip_port,
                        register=False, tone_hz=1000)
    customer2.dial(srv.number_uri('4002'))
    customer2.wait_event('CALL_ESTABLISHED', 10)
    customer2.wait_audio(1)
    customer2.proc.kill9()

    def queue_empty():
        return not [c for c in srv.status().get('calls', [])]
    e2e.wait_until(queue_empty, 12, 'the vanished caller leaves the queue')

    rows = srv.wait_cdrs(3)
    gone = [r for r in rows if r.get('callee') == '4002']
    e2e.check(len(gone) == 1, 'one CDR for 4002 expected: %s' % rows)
    e2e.assert_cdr(gone[0], group='empty', end_status='abandoned',
                   hangup_side='caller')
    e2e.check(not gone[0].get('agent'), 'abandoned call names an agent')

    srv.check_alive('after two lost BYEs')
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, CUSTOMER2, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
