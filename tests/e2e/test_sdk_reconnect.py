#!/usr/bin/env python3
"""The SDK rides out a server crash, end to end.

lianluo-agent is logged in (agent mode) and free.  lianluod is killed
with SIGKILL: the agent must print "event connection-lost", then "event
try-to-reconnect".  lianluod is started again on the same data directory
and ports: the agent must print "event connection-recovery" and, without
being restarted or logging in again, take a customer call (tones checked
both ways), then exit 0 after it (--calls 1).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)

    heard = t.path('agent1-heard.wav')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer', '--calls', 1,
        '--play', t.tone(700), '--record', heard, '--timeout', 80))
    agent.wait_event('login', 15)
    srv.wait_agent_status('agent1', 'free')

    srv.kill9()
    killed = time.monotonic()
    # The SDK promises to notice a dead server within about 15 s (an
    # OPTIONS keep-alive every 10 s, requests given up after 5 s).
    lost = agent.wait_event('connection-lost', 25)
    e2e.log('connection-lost %.1f s after the kill'
            % (lost['time'] - killed))
    agent.wait_event('try-to-reconnect', 15)
    e2e.check(agent.alive(), 'lianluo-agent exited when the server went '
              'away; log tail:\n%s' % agent.log_tail())

    srv.restart()
    agent.wait_event('connection-recovery', 20)
    srv.wait_agent_status('agent1', 'free', timeout=10)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    agent.wait_event('new-session', 10)
    accepted = agent.wait_event('accepted', 10)
    # Measure from the answer: before it the customer hears the queue.
    start = customer.recording_seconds() - (
        time.monotonic() - accepted['time'])
    customer.wait_audio(start + 4.5)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    ended = agent.wait_event('ended', 5)
    e2e.check(ended.get('reason') == 'remoteBye',
              'the call ended with %s' % ended['line'])
    rc = agent.wait_exit(10)
    e2e.check(rc == 0, 'lianluo-agent exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))

    e2e.check(agent.count_events('login') == 1,
              'lianluo-agent logged in %d times; the SDK must recover on '
              'its own' % agent.count_events('login'))
    e2e.assert_tone(heard, 1000, 'agent hears the customer after recovery')
    e2e.assert_tone(customer.recording('dec'), 700,
                    'customer hears the agent after recovery',
                    from_s=start + 0.5, to_s=start + 4.0)

    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER,
                   agent='agent1', end_status='answered')
    e2e.assert_text_clean(agent.log_text(), 'the lianluo-agent log',
                          numbers=[CUSTOMER, AGENT_PHONE], secrets=[token])


if __name__ == '__main__':
    e2e.run(main, timeout=100)
