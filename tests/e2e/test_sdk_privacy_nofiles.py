#!/usr/bin/env python3
"""With the log-file switch off, a whole session writes no file (issue 4,
test 2); with the microphone switch off, a call that would capture is
refused with a clear error.

lianluo-agent (liblianluo, agent mode) runs under `strace -f -e
trace=file` with --log-dir set and --privacy-off log_files; it logs in,
answers a customer's call (baresip), the call ends, it logs out and
exits.  The trace holds no open for writing, no mkdir, unlink or rename,
and the log directory does not exist.  Then a second agent with
--privacy-off microphone and a capture file (--play) tries to call: the
call fails with LL_ERR_MICROPHONE_DISABLED's text, and its trace shows the
capture file was never opened.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402
import test_sdk_privacy_noconsent as st  # noqa: E402

CUSTOMER = '13812345678'


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, '13700001001'),
                          ('agent2', None, None, '13700001002')])

    # ---- log files off: nothing written -------------------------------
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    logdir = t.path('sdk-logs')
    trace = t.path('agent1.trace')
    agent = t.agent('agent1', e2e.agent_args(
        srv, 'agent1', token, '--auto-answer', '--calls', 1,
        '--hangup-after', 1, '--timeout', 40, '--log-dir', logdir,
        '--privacy-off', 'log_files'),
        wrap=st.strace_wrap(trace, 'file'))
    login = agent.wait_event('login', 20)
    e2e.check('ok' in login['words'], 'login: %s' % login['line'])
    srv.wait_agent_status('agent1', 'free')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    customer.dial(srv.number_uri('4001'))
    agent.wait_event('accepted', 15)
    agent.wait_event('ended', 10)
    rc = agent.wait_exit(15)
    e2e.check(rc == 0, 'lianluo-agent exited %d; log tail:\n%s'
              % (rc, agent.log_tail()))
    e2e.check(agent.count_events('logout') == 1, 'no "event logout"')

    entries = st.parse(trace)
    e2e.check(any(e[2] == 'execve' for e in entries),
              'empty trace %s' % trace)
    bad = st.writes_files(entries)
    e2e.check(not bad, 'with log files off, files were written:\n'
              + st.show(bad))
    e2e.check(not os.path.exists(logdir),
              'the log directory %s was created' % logdir)
    e2e.log('login, call and logout: %d file system calls, none writes'
            % len(entries))

    # ---- microphone off: a capturing call is refused -------------------
    token = srv.ctl('token', 'create', '--user', 'agent2', json=False)
    play = t.tone(700)
    trace = t.path('agent2.trace')
    agent2 = t.agent('agent2', e2e.agent_args(
        srv, 'agent2', token, '--call', CUSTOMER, '--play', play,
        '--timeout', 20, '--privacy-off', 'microphone'),
        wrap=st.strace_wrap(trace, 'file'))
    rc = agent2.wait_exit(30)
    e2e.check(rc == 1, 'lianluo-agent with the microphone off exited %d'
              % rc)
    text = agent2.log_text()
    e2e.check('the microphone is switched off' in text and '(-22)' in text,
              'no LL_ERR_MICROPHONE_DISABLED in the log:\n%s'
              % agent2.log_tail())
    # The agent itself checks --play is readable; the SDK never opened it
    # (capture goes through the SDK thread, which did not start audio).
    opened = [e for e in st.parse(trace)
              if play in e[3] and e[2] in ('open', 'openat')]
    e2e.check(len(opened) <= 1, 'the capture file was opened %d times:\n%s'
              % (len(opened), st.show(opened)))
    e2e.log('a call with the microphone off: %s'
            % [ln for ln in text.splitlines() if '(-22)' in ln][0])


if __name__ == '__main__':
    e2e.run(main, timeout=120)
