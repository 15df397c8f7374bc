#!/usr/bin/env python3
"""Queue metrics, agent status history and a supervisor's status change.

One agent (a baresip phone that answers by itself) in group "support"
(wrap-up 1 s) and a customer phone.  The customer calls 4001 three times;
the agent answers each, they talk about a second, the customer hangs up.
Then a supervisor sets the agent to rest (reason lunch) through the API:
the fourth call waits in the queue (the agent's phone does not ring) and
the customer hangs up after about 2 s.

Then GET /v1/metrics/queues says offered 4, answered 3, abandoned 1,
abandoned within 5 s 1; GET /metrics (Prometheus, with the metrics token
of credentials.json) has the same numbers and refuses a wrong token; the
agent's status history shows free -> busy -> arrange -> free for each
call and the supervisor's free -> rest with its SecretId as the actor;
lianluoctl prints the tables and sets the new skill group options (an
overflow loop is refused); the metrics token survives a restart.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'
AGENT_PW = 'Ag1-pw-Mt4Qz7'


def queue(srv, name='support'):
    r = srv.api('GET', '/v1/metrics/queues?window=15m')
    e2e.check(r.status == 200, 'GET /v1/metrics/queues: %r' % r)
    for q in r.json.get('queues', []):
        if q.get('group') == name:
            return q
    e2e.fail('no queue %s in %s' % (name, r.json))


def prom_value(text, name, **labels):
    """The value of one sample of the Prometheus text, or None."""
    for line in text.splitlines():
        if not line.startswith(name + '{'):
            continue
        lab, _, value = line[len(name) + 1:].rpartition('} ')
        got = dict(kv.split('=', 1) for kv in lab.split(','))
        if all(got.get(k) == '"%s"' % v for k, v in labels.items()):
            return float(value)
    return None


def answered_call(srv, customer, agent, n):
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('agent1', 'busy', timeout=5)
    time.sleep(1.0)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    agent.wait_event('CALL_CLOSED', 5)
    srv.wait_agent_status('agent1', 'free', timeout=5)
    e2e.log('call %d answered and ended' % n)


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', '1001', AGENT_PW, AGENT_PHONE)])
    app = srv.credentials['sdk_app_id']
    token = srv.credentials.get('metrics_token', '')
    e2e.check(len(token) == 48, 'credentials.json has no metrics_token')

    agent = e2e.agent_phone(t, srv, 'agent1', '1001', AGENT_PW, tone_hz=700)
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)

    for n in (1, 2, 3):
        answered_call(srv, customer, agent, n)

    # ---- a supervisor sends the agent to lunch; the next call waits
    r = srv.api('PUT', '/v1/agents/agent1/status',
                {'status': 'rest', 'reason': 'lunch'})
    e2e.check(r.status == 200 and r.json.get('status') == 'rest',
              'PUT status rest: %r' % r)
    e2e.check(r.json.get('reason') == 'lunch', 'reason: %r' % r.json)
    r = srv.api('PUT', '/v1/agents/agent1/status',
                {'status': 'rest', 'reason': 'nap'})
    e2e.check(r.status == 422, 'a reason not in the settings: %r' % r)
    r = srv.api('PUT', '/v1/agents/nobody/status', {'status': 'free'})
    e2e.check(r.status == 404, 'unknown agent: %r' % r)

    rang_before = agent.count_events('CALL_INCOMING')
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)   # the queue answers
    e2e.wait_until(lambda: queue(srv)['now']['waiting'] == 1, 5,
                   'the fourth call to wait in the queue')
    q = queue(srv)
    e2e.check(q['now']['agents']['rest'] == 1,
              'the resting agent is not counted as rest: %s' % q['now'])
    time.sleep(1.5)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    e2e.check(agent.count_events('CALL_INCOMING') == rang_before,
              'the agent on rest was offered the call')
    e2e.check(srv.agent_status('agent1') == 'rest',
              'the agent is %s, not rest' % srv.agent_status('agent1'))

    rows = srv.wait_cdrs(4)
    statuses = sorted(r['end_status'] for r in rows)
    e2e.check(statuses == ['abandoned'] + ['answered'] * 3,
              'CDR end statuses: %s' % statuses)

    # ---- queue metrics
    w = queue(srv)['windows']['15m']
    e2e.log('support, last 15 min: %s' % w)
    for key, want in (('offered', 4), ('answered', 3), ('abandoned', 1),
                      ('abandoned_5s', 1), ('timeouts', 0)):
        e2e.check(w.get(key) == want, '%s is %r, expected %d: %s'
                  % (key, w.get(key), want, w))
    e2e.check(queue(srv)['now']['waiting'] == 0, 'a call still waits')
    # every answered call was answered at once: all within 20 s
    e2e.check(w.get('service_level_pct') == 100.0,
              'service level %r, expected 100.0 (3 of 4 - 1)'
              % w.get('service_level_pct'))
    e2e.check(0 <= w.get('asa_ms', -1) < 5000, 'ASA %r ms' % w.get('asa_ms'))

    r = srv.api('GET', '/v1/metrics/agents?window=today')
    e2e.check(r.status == 200, 'GET /v1/metrics/agents: %r' % r)
    a = r.json['agents'][0]
    e2e.check(a['user_id'] == 'agent1' and a['windows']['today']['calls']
              == 3, 'agent metrics: %s' % a)
    e2e.check(a['windows']['today']['status_s']['rest'] >= 1,
              'time on rest: %s' % a['windows']['today'])

    # ---- Prometheus
    r = e2e.http_request(srv.http_port, 'GET', '/metrics',
                         headers={'Authorization': 'Bearer ' + token})
    e2e.check(r.status == 200, 'GET /metrics: %r' % r)
    text = r.body.decode()
    labels = {'app': app, 'group': 'support', 'window': '15m'}
    for name, want in (('lianluo_queue_offered_calls', 4),
                       ('lianluo_queue_answered_calls', 3),
                       ('lianluo_queue_abandoned_calls', 1),
                       ('lianluo_queue_abandoned_short_calls', 1)):
        got = prom_value(text, name, **labels)
        e2e.check(got == want, '%s is %r, expected %d' % (name, got, want))
    e2e.check(prom_value(text, 'lianluo_agents', app=app, status='rest')
              == 1, 'lianluo_agents rest is not 1')
    e2e.check(prom_value(text, 'lianluo_agents_registered', app=app) == 1,
              'lianluo_agents_registered is not 1')
    e2e.check('# TYPE lianluo_queue_offered_calls gauge' in text,
              'no TYPE line')
    e2e.check(CUSTOMER not in text and 'agent1' not in text,
              '/metrics holds personal data')
    for auth in ('Bearer ' + token[:-1] + 'x', 'Bearer', '',
                 'Basic ' + token):
        r = e2e.http_request(srv.http_port, 'GET', '/metrics',
                             headers={'Authorization': auth} if auth
                             else {})
        e2e.check(r.status == 401, '/metrics with %r: %r' % (auth[:8], r))

    # ---- the status history
    r = srv.api('GET', '/v1/agents/agent1/status-history')
    e2e.check(r.status == 200, 'status-history: %r' % r)
    changes = r.json['changes']
    path = [(c['from'], c['to']) for c in changes]
    e2e.log('history: %s' % ' '.join('%s>%s' % p for p in path))
    cycle = [('free', 'busy'), ('busy', 'arrange'), ('arrange', 'free')]
    e2e.check(any(path[i:i + 3] == cycle for i in range(len(path))),
              'no free -> busy -> arrange -> free in %s' % path)
    e2e.check(sum(1 for p in path if p == ('free', 'busy')) == 3,
              'three calls, free -> busy %d times'
              % sum(1 for p in path if p == ('free', 'busy')))
    rest = [c for c in changes if c['to'] == 'rest']
    e2e.check(rest and rest[-1]['reason'] == 'lunch' and
              rest[-1]['actor'] == srv.credentials['secret_id'],
              'the supervisor change is not recorded: %s' % rest)

    # ---- lianluoctl
    out = srv.ctl('metrics', 'queues', '--window', '15m', json=False)
    e2e.log('lianluoctl metrics queues:\n' + out)
    line = [ln for ln in out.splitlines() if ln.startswith('support')]
    e2e.check(line and line[0].split()[6:10] == ['4', '3', '1', '1'],
              'metrics queues table: %s' % out)
    out = srv.ctl('agent', 'status', '--user', 'agent1', '--set', 'free',
                  json=False)
    e2e.check('agent1: free' in out, 'agent status: %s' % out)
    srv.wait_agent_status('agent1', 'free')
    out = srv.ctl('status', json=False)
    e2e.log('lianluoctl status:\n' + out)
    e2e.check('QUEUES' in out and 'AGENTS' in out and 'agent1' in out,
              'status tables: %s' % out)
    out = srv.ctl('agent', 'history', '--user', 'agent1', json=False)
    e2e.check('lunch' in out, 'agent history table: %s' % out)

    # skill group settings through lianluoctl; an overflow loop is refused
    g = srv.ctl('skill-group', 'create', '--name', 'spill',
                '--max-queue-len', 3, '--overflow-group', 'support',
                '--service-level', 15, '--ring-step', 2,
                '--last-agent-first')
    e2e.check(g.get('max_queue_len') == 3 and g.get('overflow_group') ==
              'support' and g.get('service_level_s') == 15 and
              g.get('ring_step_s') == 2 and g.get('last_agent_first'),
              'skill-group create: %s' % g)
    r = subprocess.run([e2e.bin_path('lianluoctl'), '--data', srv.data_dir,
                        'skill-group', 'update', '--name', 'support',
                        '--overflow-group', 'spill'],
                       capture_output=True, timeout=15)
    e2e.check(r.returncode == 1 and b'OverflowCycle' in r.stderr,
              'a loop support -> spill -> support was not refused: %d %r'
              % (r.returncode, r.stderr))
    g = srv.ctl('skill-group', 'update', '--name', 'spill',
                '--overflow-group', '', '--no-last-agent-first')
    e2e.check(g.get('overflow_group') == '' and
              g.get('last_agent_first') is False and
              g.get('max_queue_len') == 3, 'skill-group update: %s' % g)
    s = srv.ctl('settings', 'set', '--rest-reasons', 'lunch,coaching')
    e2e.check(s.get('rest_reasons') == ['lunch', 'coaching'],
              'settings set --rest-reasons: %s' % s)

    # the metrics token survives a restart
    srv.restart()
    e2e.check(srv.credentials.get('metrics_token') == token,
              'the metrics token changed across a restart')
    r = e2e.http_request(srv.http_port, 'GET', '/metrics',
                         headers={'Authorization': 'Bearer ' + token})
    e2e.check(r.status == 200, 'GET /metrics after a restart: %r' % r)

    srv.check_alive()
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, AGENT_PHONE],
                         secrets=[AGENT_PW, srv.credentials['secret_key'],
                                  token])


if __name__ == '__main__':
    e2e.run(main)
