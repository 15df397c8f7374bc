#!/usr/bin/env python3
"""Queue limits, overflow, and a restart in the middle of the day.

Group "front" (number 4001) has a 3 s max wait and overflows to "back".
agent1 (front) is put to rest by a supervisor; a customer calling 4001
waits about 3 s, overflows, and agent2 (back) answers: the CDR names the
group the call ended in.  Group "tiny" (4003) holds one waiting caller and
has no overflow: a second caller is ended at once with queue-full and a
BYE whose Reason says 486.

Then lianluod is killed (kill -9) while agent1 rests and agent2 has just
finished a call, and started again: agent1 is still resting with the same
reason, agent2 is free, the CDRs and agent1's status history from before
are all there, and the next call to "front" goes to nobody in front
(agent1 rests) but overflows to agent2 again.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
CUSTOMER2 = '13912345678'
AGENTS = [('agent1', '1001', 'Ag1-pw-Ov3Nx5', '13700001001'),
          ('agent2', '1002', 'Ag2-pw-Tk9Pe2', '13700001002')]


def overflow_call(srv, customer, agent2):
    customer.dial(srv.number_uri('4001'))
    est = customer.wait_event('CALL_ESTABLISHED', 10)
    got = agent2.wait_event('CALL_ESTABLISHED', 12)
    waited = got['time'] - est['time']
    e2e.log('overflowed to back after %.1f s' % waited)
    e2e.check(2.0 <= waited <= 7.0,
              'the call reached the overflow group after %.1f s; max wait '
              'of front is 3 s' % waited)
    agent2.wait_audio(e2e.wav_seconds(agent2.recording('dec')) + 3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent2.wait_event('CALL_CLOSED', 5)
    e2e.assert_tone(agent2.recording('dec'), 1000,
                    'agent2 hears the overflowed customer')


def main(t):
    srv = t.server()
    srv.ctl('skill-group', 'create', '--name', 'back', '--wrap-up', '0')
    srv.ctl('skill-group', 'create', '--name', 'front', '--max-wait', '3',
            '--overflow-group', 'back', '--wrap-up', '0')
    srv.ctl('skill-group', 'create', '--name', 'tiny', '--max-wait', '60',
            '--max-queue-len', '1')
    srv.ctl('staff', 'create', '--user', 'agent1', '--phone', AGENTS[0][3],
            '--extension', '1001', '--password', AGENTS[0][2],
            '--skill-group', 'front')
    srv.ctl('staff', 'create', '--user', 'agent2', '--phone', AGENTS[1][3],
            '--extension', '1002', '--password', AGENTS[1][2],
            '--skill-group', 'back')
    srv.ctl('number', 'create', '--number', '4001', '--skill-group', 'front')
    srv.ctl('number', 'create', '--number', '4003', '--skill-group', 'tiny')

    a1 = t.phone('agent1', user='1001', password=AGENTS[0][2],
                 registrar=srv.sip_port, tone_hz=700, answer='manual')
    a1.wait_registered()
    a2 = e2e.agent_phone(t, srv, 'agent2', '1002', AGENTS[1][2], tone_hz=600)
    srv.wait_agent_status('agent1', 'free')
    srv.ctl('agent', 'status', '--user', 'agent1', '--set', 'rest',
            '--reason', 'lunch')
    srv.wait_agent_status('agent1', 'rest')

    # ---- overflow past the max wait
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    overflow_call(srv, customer, a2)
    e2e.check(not a1.has_event('CALL_INCOMING'),
              'agent1 rang although resting')
    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, direction='inbound', caller=CUSTOMER, callee='4001',
                   group='back', agent='agent2', end_status='answered',
                   hangup_side='caller')
    e2e.assert_cdr_times(row)

    # ---- queue full, no overflow: ended at once, not dropped silently
    customer.dial(srv.number_uri('4003'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    customer2 = t.phone('customer2', user=CUSTOMER2, registrar=srv.sip_port,
                        register=False, tone_hz=1000)
    customer2.dial(srv.number_uri('4003'))
    closed = customer2.wait_event('CALL_CLOSED', 10)
    e2e.log('second caller to tiny: %s' % closed.get('param'))
    byes = customer2.received('BYE')
    e2e.check(byes and any('cause=486' in line for line in
                           byes[-1].split('\n')),
              'the caller who found the queue full got no BYE with '
              'Reason cause=486: %s' % (byes[-1:] or closed))
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    rows = srv.wait_cdrs(3)
    tiny = sorted((r for r in rows if r.get('callee') == '4003'),
                  key=lambda r: r['offered_ms'])
    e2e.check(sorted(r['end_status'] for r in tiny) ==
              ['abandoned', 'queue-full'],
              'CDRs of tiny: %s' % tiny)

    # ---- kill -9 and start again
    history_before = srv.api_ok('GET', '/v1/agents/agent1/status-history')
    cdrs_before = srv.cdrs()
    srv.kill9()
    time.sleep(0.5)
    srv.start()
    info = srv.api_ok('GET', '/v1/agents/agent1')
    e2e.log('agent1 after the restart: %s' % info)
    e2e.check(info.get('status') == 'rest' and info.get('reason') == 'lunch',
              'agent1 after the restart: %s, expected rest (lunch)' % info)
    e2e.check(srv.agent_status('agent2') == 'free',
              'agent2 after the restart: %s' % srv.agent_status('agent2'))
    e2e.check(srv.cdrs() == cdrs_before,
              'the CDRs changed across the restart')
    history_after = srv.api_ok('GET', '/v1/agents/agent1/status-history')
    e2e.check(history_after.get('changes', [])[:len(
        history_before.get('changes', []))] ==
        history_before.get('changes'),
        'agent1\'s status history lost entries across the restart:\n%s\n%s'
        % (history_before, history_after))

    # the phones' registrations survived: the next call overflows again
    overflow_call(srv, customer, a2)
    e2e.check(not a1.has_event('CALL_INCOMING'),
              'agent1 rang after the restart although resting')
    e2e.check(len(srv.wait_cdrs(4)) == 4, 'a fourth CDR is expected')

    srv.check_alive('after the restart')
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, CUSTOMER2] +
                         [a[3] for a in AGENTS],
                         secrets=[a[2] for a in AGENTS] +
                         [srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main)
