#!/usr/bin/env python3
"""The ACD's routing strategies, end to end, with SDK bots as agents.

One server, one skill group per strategy (two round-robin ones), each
with its own service number.  Three lianluo-agent bots (agent-a,
agent-b, agent-c: that is the member order, by user id) auto-answer and
are members of every group; a fourth (agent-d) is logged in and free but
a member of none.  A baresip customer calls the numbers one after the
other; the agent that took each call is read from GET /v1/status while
it talks and must be the one its CDR names and the one whose SDK
accepted that call (its session id).

Calls are short: "long" ones end when the bot hangs up (--hangup-after
2), "short" ones when the customer hangs up as soon as the agent has
answered.  That gives the agents different call counts and talk times,
arranged so that each strategy's pick differs from what the others
would pick at that moment.  The test keeps a model of what the ACD
counts (answered calls, talk time from the CDRs, the order in which
agents became free) and checks each pick against it:

  top-down       a, a; and while a is busy with a call, b
  longest-idle   c (free since login), then b (free before a), wrap-up
                 1 s: arrange right after the call, then free
  least-talk     b: more calls than c but all of them short
  fewest-calls   c: one long call only
  round-robin    a, b, c, a, b, c, whatever the counts; a second
                 round-robin group starts at a and does not move the
                 first one's rotation; while the agent picked holds
                 its call, the next member gets the next one
  random         over 12 calls more than one agent, only members

An unlucky random run picks one agent 12 times: p = 3/3^12 (1/177147).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
CUSTOMER2 = '13912345678'
MEMBERS = ['agent-a', 'agent-b', 'agent-c']   # member order (user id)
OUTSIDER = 'agent-d'
PHONES = {'agent-a': '13700001001', 'agent-b': '13700001002',
          'agent-c': '13700001003', 'agent-d': '13700001004'}
HANGUP_AFTER = 2
RANDOM_CALLS = 12

GROUPS = [  # name, number, strategy, wrap-up
    ('g-longest', '4001', 'longest-idle', 1),
    ('g-rr', '4002', 'round-robin', 0),
    ('g-topdown', '4003', 'top-down', 0),
    ('g-fewest', '4004', 'fewest-calls', 0),
    ('g-leasttalk', '4005', 'least-talk-time', 0),
    ('g-random', '4006', 'random', 0),
    ('g-rr2', '4007', 'round-robin', 0),
]


class Model:
    """What the ACD knows of each agent, rebuilt from the CDRs: answered
    calls, talk time, and the order in which they became free."""

    def __init__(self):
        self.answered = {u: 0 for u in MEMBERS}
        self.talk_ms = {u: 0 for u in MEMBERS}
        self.idle = list(MEMBERS)   # longest idle first (login order)

    def ended(self, rows):
        """Calls that ended; rows in any order."""
        for row in sorted(rows, key=lambda r: r['ended_ms']):
            u = row['agent']
            self.answered[u] += 1
            self.talk_ms[u] += row['ended_ms'] - row['answered_ms']
            self.idle.remove(u)
            self.idle.append(u)

    def pick(self, strategy, free=MEMBERS):
        """The agent `strategy` picks now among `free` (None for the
        strategies that do not depend on the counts)."""
        free = [u for u in self.idle if u in free]   # longest idle first
        if strategy == 'top-down':
            return min(free)
        if strategy == 'longest-idle':
            return free[0]
        if strategy == 'fewest-calls':
            return min(free, key=lambda u: self.answered[u])
        if strategy == 'least-talk-time':
            return min(free, key=lambda u: self.talk_ms[u])
        return None

    def __str__(self):
        return '; '.join('%s: %d calls, %d ms' % (u, self.answered[u],
                                                  self.talk_ms[u])
                         for u in MEMBERS) + '; idle order ' + \
            ', '.join(self.idle)


class Calls:
    """Places customer calls and checks what happened to each."""

    def __init__(self, srv, bots, customer):
        self.srv = srv
        self.bots = bots
        self.customer = customer
        self.known = set()
        self.rows = []
        self.model = Model()

    def start(self, group, number, phone=None):
        """Dials and waits until an agent talks; returns (call, statuses
        at that moment)."""
        phone = phone or self.customer
        phone.dial(self.srv.number_uri(number))
        phone.wait_event('CALL_ESTABLISHED', 10)
        call, statuses = self.srv.wait_answered_call(self.known)
        self.known.add(call['session_id'])
        agent = call['agent']
        e2e.log('%s (%s): agent %s answered; statuses %s'
                % (number, group, agent, statuses))
        e2e.check(call.get('group') == group,
                  'the call to %s is in group %r, expected %r'
                  % (number, call.get('group'), group))
        e2e.check(statuses.get(agent) == 'busy',
                  '%s talks but its status is %r' % (agent,
                                                     statuses.get(agent)))
        e2e.check(agent != OUTSIDER and statuses.get(OUTSIDER) == 'free',
                  '%s, a member of no group, is %s (call went to %s)'
                  % (OUTSIDER, statuses.get(OUTSIDER), agent))
        ev = self.bots[agent].wait_event('accepted', 5)
        e2e.check(ev.get('id') == call['session_id'],
                  '%s accepted call %s, the server says it took %s'
                  % (agent, ev.get('id'), call['session_id']))
        return call, statuses

    def finish(self, call, group, number, short, wrap_up, phone=None):
        """Ends the call (short: the customer hangs up at once; else the
        bot does) and checks its CDR and the agent's status after it."""
        phone = phone or self.customer
        agent = call['agent']
        if short:
            phone.hangup()
        phone.wait_event('CALL_CLOSED', HANGUP_AFTER + 8)
        self.bots[agent].wait_event('ended', 5)
        row = self.cdr(call['session_id'])
        caller = CUSTOMER2 if phone is not self.customer else CUSTOMER
        e2e.assert_cdr(row, direction='inbound', caller=caller,
                       callee=number, group=group, agent=agent,
                       end_status='answered',
                       hangup_side='caller' if short else 'agent')
        e2e.assert_cdr_times(row)
        after = self.srv.agent_statuses().get(agent)
        e2e.check(after == ('arrange' if wrap_up else 'free'),
                  '%s is %r right after the call, expected %s'
                  % (agent, after, 'arrange' if wrap_up else 'free'))
        if wrap_up:
            self.srv.wait_agent_status(agent, 'free', timeout=wrap_up + 3)
        return row

    def one(self, group, number, short, wrap_up=0, expect=None):
        call, _ = self.start(group, number)
        if expect:
            e2e.check(call['agent'] == expect,
                      '%s picked %s, expected %s (model: %s)'
                      % (group, call['agent'], expect, self.model))
        row = self.finish(call, group, number, short, wrap_up)
        self.model.ended([row])
        return call['agent']

    def cdr(self, session_id):
        def found():
            for r in self.srv.api_ok('GET', '/v1/cdrs').get('cdrs', []):
                if r.get('session_id') == session_id:
                    return r
            return None
        row = e2e.wait_until(found, 10, 'the CDR of call %s' % session_id,
                             interval=0.1)
        self.rows.append(row)
        return row


def main(t):
    srv = t.server()
    for name, number, strategy, wrap_up in GROUPS:
        e2e.skill_group(srv, name, number, strategy=strategy,
                        wrapup_s=wrap_up, ring_timeout_s=10)
    for user in MEMBERS:
        e2e.staff(srv, user, PHONES[user], [g[0] for g in GROUPS])
    e2e.staff(srv, OUTSIDER, PHONES[OUTSIDER])

    # Logged in one after the other: a has been free longest, then b, c.
    bots, tokens = {}, []
    for user in MEMBERS + [OUTSIDER]:
        bots[user], token = e2e.sdk_agent(
            t, srv, user, '--auto-answer', '--hangup-after', HANGUP_AFTER)
        tokens.append(token)
    statuses = srv.agent_statuses()
    e2e.check(all(statuses.get(u) == 'free' for u in bots),
              'after login the agents are %s' % statuses)

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer2 = t.phone('customer2', user=CUSTOMER2, registrar=srv.sip_port,
                        register=False, tone_hz=1200)
    calls = Calls(srv, bots, customer)
    m = calls.model

    # ---- top-down: the first member in order, every time it is free
    for _ in range(2):
        calls.one('g-topdown', '4003', short=True, expect='agent-a')
    # ... and the next one while it is busy
    first, _ = calls.start('g-topdown', '4003')
    e2e.check(first['agent'] == 'agent-a', 'top-down picked %s, expected '
              'agent-a' % first['agent'])
    second, st = calls.start('g-topdown', '4003', phone=customer2)
    e2e.check(st.get('agent-a') == 'busy',
              'agent-a finished its call before the second one was '
              'answered (statuses %s): the test was too slow' % st)
    e2e.check(second['agent'] == 'agent-b',
              'top-down with agent-a busy picked %s, expected agent-b'
              % second['agent'])
    rows = [calls.finish(second, 'g-topdown', '4003', True, 0,
                         phone=customer2),
            calls.finish(first, 'g-topdown', '4003', False, 0)]
    m.ended(rows)
    e2e.log('model: %s' % m)

    # ---- longest-idle: c (free since login), then b (free before a)
    e2e.check(m.pick('longest-idle') == 'agent-c' and
              m.pick('top-down') == 'agent-a',
              'arrangement: longest-idle should pick agent-c now, top-down '
              'agent-a (model: %s)' % m)
    calls.one('g-longest', '4001', short=False, wrap_up=1,
              expect='agent-c')
    e2e.check(m.pick('longest-idle') == 'agent-b',
              'arrangement: longest-idle should pick agent-b now (model: '
              '%s)' % m)
    calls.one('g-longest', '4001', short=True, wrap_up=1,
              expect='agent-b')
    e2e.log('model: %s' % m)

    # ---- least-talk-time: b, who has more calls than c but shorter ones
    picks = {s: m.pick(s) for s in ('least-talk-time', 'fewest-calls',
                                    'longest-idle', 'top-down')}
    e2e.log('picks before least-talk-time: %s' % picks)
    e2e.check(picks['least-talk-time'] == 'agent-b' and
              list(picks.values()).count('agent-b') == 1,
              'arrangement: only least-talk-time should pick agent-b now: '
              '%s (model: %s)' % (picks, m))
    calls.one('g-leasttalk', '4005', short=True, expect='agent-b')

    # ---- fewest-calls: c, who has one (long) call
    picks = {s: m.pick(s) for s in ('fewest-calls', 'least-talk-time',
                                    'longest-idle', 'top-down')}
    e2e.log('picks before fewest-calls: %s' % picks)
    e2e.check(picks['fewest-calls'] == 'agent-c' and
              list(picks.values()).count('agent-c') == 1,
              'arrangement: only fewest-calls should pick agent-c now: '
              '%s (model: %s)' % (picks, m))
    calls.one('g-fewest', '4004', short=True, expect='agent-c')
    e2e.log('model: %s' % m)

    # ---- round-robin: a, b, c, a, ... whatever the counts and idle times
    for want in ['agent-a', 'agent-b', 'agent-c', 'agent-a', 'agent-b',
                 'agent-c']:
        calls.one('g-rr', '4002', short=True, expect=want)
    # ... per group: another round-robin group's first call goes to its
    # first member, and g-rr's rotation goes on where it was (after c).
    calls.one('g-rr2', '4007', short=True, expect='agent-a')
    first, _ = calls.start('g-rr', '4002')
    e2e.check(first['agent'] == 'agent-a',
                  'round-robin in g-rr after a, b, c, a, b, c and one call '
                  'in g-rr2 picked %s, expected agent-a' % first['agent'])
    # ... and past an agent that is busy: while the agent just picked
    # holds its call, the next call goes to the member after it.
    second, st = calls.start('g-rr', '4002', phone=customer2)
    e2e.check(st.get(first['agent']) == 'busy',
              '%s finished its call before the second one was answered '
              '(statuses %s): the test was too slow' % (first['agent'], st))
    after = MEMBERS[(MEMBERS.index(first['agent']) + 1) % len(MEMBERS)]
    e2e.check(second['agent'] == after,
                  'round-robin with %s busy picked %s, expected %s, the '
                  'next member' % (first['agent'], second['agent'], after))
    rows = [calls.finish(second, 'g-rr', '4002', True, 0, phone=customer2),
            calls.finish(first, 'g-rr', '4002', False, 0)]
    m.ended(rows)

    # ---- random: only members, and not always the same one
    picked = [calls.one('g-random', '4006', short=True)
              for _ in range(RANDOM_CALLS)]
    e2e.log('random picked %s' % picked)
    e2e.check(set(picked) <= set(MEMBERS),
              'random picked a non-member: %s' % picked)
    e2e.check(len(set(picked)) > 1,
              'random picked %s for all %d calls' % (picked[0],
                                                     RANDOM_CALLS))

    # Every call rang exactly the agent its CDR names, nobody else.
    for user, bot in bots.items():
        n = sum(1 for r in calls.rows if r['agent'] == user)
        got = bot.count_events('new-session')
        e2e.check(got == n, '%s was offered %d call(s); its CDRs name it '
                  'in %d' % (user, got, n))
    e2e.check(len(srv.cdrs()) == len(calls.rows),
              'the server has %d CDRs, %d calls were made'
              % (len(srv.cdrs()), len(calls.rows)))

    numbers = [CUSTOMER, CUSTOMER2] + list(PHONES.values())
    for user, bot in bots.items():
        e2e.assert_text_clean(bot.log_text(), 'the log of %s' % user,
                              numbers=numbers, secrets=tokens)
    e2e.assert_log_clean(srv, numbers=numbers,
                         secrets=tokens + [srv.credentials['secret_key']])


if __name__ == '__main__':
    e2e.run(main, timeout=100)
