#!/usr/bin/env python3
"""After withdrawal, the SDK's files are gone and the process sends and
writes nothing (issue 4, test 4).

lianluo-agent logs in with --log-dir (log files on: the SDK writes
liblianluo.log there) under `strace -f -e trace=network,file,write,
process`, and withdraws consent 2 s after login (--withdraw-after): it
prints "event withdrawn" once ll_privacy_withdraw() returned, stays 3.5 s
without a call into the SDK, prints "event quiet-end" and exits.

Checked: the log file and the directory the SDK made are gone when
"event withdrawn" appears; between the two lines the trace holds no
system call of those classes at all (no send, no write, no open, no
thread) over at least 3 s; the server no longer has the agent
registered.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402
import test_sdk_privacy_noconsent as st  # noqa: E402


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001',
                  agents=[('agent1', None, None, '13700001001')])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)

    logdir = t.path('sdk-logs')
    logfile = os.path.join(logdir, 'liblianluo.log')
    trace = t.path('agent1.trace')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer', '--log-dir', logdir,
        '--withdraw-after', 2),
        wrap=st.strace_wrap(trace, 'network,file,write,process'))
    login = agent.wait_event('login', 20)
    e2e.check('ok' in login['words'], 'login: %s' % login['line'])
    e2e.check(os.path.exists(logfile), 'the SDK wrote no %s' % logfile)
    srv.wait_agent_status('agent1', 'free')

    agent.wait_event('withdrawn', 10)
    e2e.check(not os.path.exists(logfile),
              '%s is still there after withdrawal' % logfile)
    e2e.check(not os.path.exists(logdir),
              'the directory %s is still there' % logdir)

    agent.wait_event('quiet-end', 10)
    rc = agent.wait_exit(10)
    e2e.check(rc == 0, 'lianluo-agent exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))

    entries = st.parse(trace)
    inside, t0, t1 = st.window(entries, 'event withdrawn',
                               'event quiet-end')
    e2e.check(t1 - t0 >= 3.0, 'the quiet window lasted only %.2f s'
              % (t1 - t0))
    e2e.check(not inside, 'after withdrawal the process still did:\n'
              + st.show(inside))
    e2e.log('%.2f s after withdrawal: no send, no write, no open'
            % (t1 - t0))

    # The un-REGISTER reached the server.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if srv.agent_status('agent1') != 'free':
            break
        time.sleep(0.2)
    e2e.check(srv.agent_status('agent1') != 'free',
              'the server still has agent1 free (registered)')


if __name__ == '__main__':
    e2e.run(main, timeout=90)
