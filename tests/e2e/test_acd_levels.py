#!/usr/bin/env python3
"""Skill-level priority, end to end, with SDK bots as agents.

Group g-tiered (longest-idle) has agent-b at level 1 and agent-a at
level 2; agent-c belongs only to g-other.  They log in c, a, b, so that
without levels both the strategy (longest idle: c, then a) and the
member order (a first) would pass over agent-b.  Three baresip
customers call 4001:

- twice one after the other: agent-b (level 1) answers both, although
  agent-a has been free longer;
- agent-b holds a call: the next concurrent call goes to agent-a
  (level 2);
- both hold calls: a third call waits in the queue, and agent-c, free
  the whole time, is never offered it; when agent-a hangs up the
  waiting call goes to agent-a;
- a call to g-other's number 4002 reaches agent-c, whose bot works.

Each call's agent is read from GET /v1/status while it talks and
checked against its CDR and against the "new-session" events of the
bots: agent-c's SDK saw exactly one call.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMERS = ['13812345678', '13912345678', '13612345678']
PHONES = {'agent-a': '13700001001', 'agent-b': '13700001002',
          'agent-c': '13700001003'}
LEVELS = {'agent-a': 2, 'agent-b': 1}


def main(t):
    srv = t.server()
    e2e.skill_group(srv, 'g-tiered', '4001', strategy='longest-idle')
    e2e.skill_group(srv, 'g-other', '4002')
    for user, level in LEVELS.items():
        e2e.staff(srv, user, PHONES[user], [('g-tiered', level)])
    e2e.staff(srv, 'agent-c', PHONES['agent-c'], ['g-other'])
    listed = {s['user_id']: s.get('skill_groups')
              for s in srv.api_ok('GET', '/v1/staff')['staff']}
    for user, level in LEVELS.items():
        e2e.check(listed.get(user) == [{'name': 'g-tiered',
                                        'level': level}],
                  '%s is listed with skill groups %r, expected g-tiered '
                  'level %d' % (user, listed.get(user), level))

    bots, tokens = {}, []
    for user in ('agent-c', 'agent-a', 'agent-b'):
        bots[user], token = e2e.sdk_agent(t, srv, user, '--auto-answer')
        tokens.append(token)

    phones = [t.phone('customer%d' % i, user=n, registrar=srv.sip_port,
                      register=False, tone_hz=1000 + 100 * i)
              for i, n in enumerate(CUSTOMERS)]
    known = set()
    calls = []   # (session_id, caller, number, agent)

    def start(phone, number='4001', dial=True):
        if dial:
            phone.dial(srv.number_uri(number))
            phone.wait_event('CALL_ESTABLISHED', 10)
        call, st = srv.wait_answered_call(known)
        known.add(call['session_id'])
        e2e.log('%s: %s answered; statuses %s' % (number, call['agent'], st))
        ev = bots[call['agent']].wait_event('accepted', 5)
        e2e.check(ev.get('id') == call['session_id'],
                  '%s accepted call %s, the server says it took %s'
                  % (call['agent'], ev.get('id'), call['session_id']))
        calls.append((call['session_id'], phone.user, number,
                      call['agent']))
        return call['agent'], st

    def hang_up(phone, agent):
        phone.hangup()
        phone.wait_event('CALL_CLOSED', 5)
        bots[agent].wait_event('ended', 5)

    # ---- level 1 takes every call while it is free
    for i in range(2):
        agent, st = start(phones[0])
        e2e.check(agent == 'agent-b', 'call %d went to %s, expected the '
                  'level-1 agent-b (statuses %s)' % (i + 1, agent, st))
        hang_up(phones[0], agent)
        srv.wait_agent_status('agent-b', 'free', timeout=5)

    # ---- level 1 busy: level 2
    agent, _ = start(phones[0])
    e2e.check(agent == 'agent-b', 'call 3 went to %s, expected agent-b'
              % agent)
    agent, st = start(phones[1])
    e2e.check(agent == 'agent-a', 'with agent-b busy the call went to %s, '
              'expected the level-2 agent-a (statuses %s)' % (agent, st))
    e2e.check(st.get('agent-b') == 'busy' and st.get('agent-c') == 'free',
              'statuses while agent-a answered: %s' % st)

    # ---- both busy: the next call waits, agent-c is never offered it
    phones[2].dial(srv.number_uri('4001'))
    phones[2].wait_event('CALL_ESTABLISHED', 10)

    def queued():
        st = srv.live_status()
        return [c for c in st['calls'] if c['state'] == 'queued']
    waiting = e2e.wait_until(queued, 5, 'the third call to be queued')[0]
    time.sleep(1.5)   # time enough for a wrong offer to show
    st = srv.live_status()
    state = {c['session_id']: c['state'] for c in st['calls']}
    agents = {a['user_id']: a['status'] for a in st['agents']}
    e2e.log('after 1.5 s: call states %s, agents %s' % (state, agents))
    e2e.check(state.get(waiting['session_id']) == 'queued',
              'the third call is %r, expected still queued'
              % state.get(waiting['session_id']))
    e2e.check(agents.get('agent-c') == 'free' and
              bots['agent-c'].count_events('new-session') == 0,
              'agent-c (not a member) was offered the waiting call: '
              'status %s, %d new-session'
              % (agents.get('agent-c'),
                 bots['agent-c'].count_events('new-session')))

    # agent-a hangs up: the waiting call is agent-a's
    hang_up(phones[1], 'agent-a')
    agent, st = start(phones[2], dial=False)
    e2e.check(agent == 'agent-a', 'the waiting call went to %s, expected '
              'agent-a, the member who became free' % agent)
    hang_up(phones[0], 'agent-b')
    hang_up(phones[2], 'agent-a')

    # ---- agent-c takes the calls of its own group
    agent, _ = start(phones[0], '4002')
    e2e.check(agent == 'agent-c', 'the call to 4002 went to %s' % agent)
    hang_up(phones[0], 'agent-c')

    # ---- CDRs and who rang
    rows = {r['session_id']: r for r in srv.wait_cdrs(len(calls))}
    e2e.check(len(rows) == len(calls), '%d CDRs for %d calls'
              % (len(rows), len(calls)))
    for sid, caller, number, agent in calls:
        row = rows.get(sid)
        e2e.check(row, 'no CDR for call %s' % sid)
        e2e.assert_cdr(row, direction='inbound', caller=caller,
                       callee=number, agent=agent, end_status='answered',
                       hangup_side='caller',
                       group='g-tiered' if number == '4001' else 'g-other')
        e2e.assert_cdr_times(row)
    waited = rows[waiting['session_id']]
    e2e.check(waited['answered_ms'] - waited['queued_ms'] >= 1500,
              'the third call waited only %d ms in the queue'
              % (waited['answered_ms'] - waited['queued_ms']))
    for user, bot in bots.items():
        n = sum(1 for c in calls if c[3] == user)
        e2e.check(bot.count_events('new-session') == n,
                  '%s was offered %d call(s), %d expected'
                  % (user, bot.count_events('new-session'), n))

    numbers = CUSTOMERS + list(PHONES.values())
    for user, bot in bots.items():
        e2e.assert_text_clean(bot.log_text(), 'the log of %s' % user,
                              numbers=numbers, secrets=tokens)
    e2e.assert_log_clean(srv, numbers=numbers,
                         secrets=tokens + [srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=90)
