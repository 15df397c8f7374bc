#!/usr/bin/env python3
"""lianluo-agent as a terminal workstation, driven through a pseudo-tty.

Without --auto-answer or --call, lianluo-agent logs in and shows a status
line.  Checked: the status line after login ("[logged in] free | call
idle"); keys r (reason lunch), n and f set the agent's status on the
server and the status line shows it ("rest (lunch)", "notReady",
"free"); a customer's call shows as ringing with the masked number; key a
answers, m mutes (MUTED shown), 1 sends DTMF that reaches the customer, h
hangs up; d opens the dial prompt and Esc closes it; the terminal is in
non-canonical mode without echo while it runs and is restored after
SIGTERM, which also logs out (exit 0).  The number never shows in clear.
"""

import os
import pty
import re
import select
import signal
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
AGENT_PHONE = '13700001001'


class Terminal:
    """lianluo-agent on a pty; everything it wrote is kept in .out."""

    def __init__(self, t, argv):
        self.out = b''
        self.log_path = t.path('agent1-tty.log')
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        self.status = None

    def _pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b''
        self.out += data
        with open(self.log_path, 'ab') as f:
            f.write(data)

    def expect(self, text, timeout=5.0, since=0):
        """Waits until `text` appears in the output after offset `since`;
        returns the offset just past it."""
        want = text.encode()
        deadline = time.monotonic() + timeout
        while True:
            i = self.out.find(want, since)
            if i >= 0:
                return i + len(want)
            if time.monotonic() >= deadline:
                e2e.fail('the workstation did not show %r within %.0f s; '
                         'last output: %r' % (text, timeout,
                                              self.out[-400:]))
            self._pump(0.1)

    def key(self, k):
        e2e.log('key %r' % k)
        mark = len(self.out)
        os.write(self.fd, k.encode())
        return mark

    def lflag(self):
        return termios.tcgetattr(self.fd)[3]

    def wait_exit(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump(0.1)
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = st
                return os.waitstatus_to_exitcode(st)
        os.kill(self.pid, signal.SIGKILL)
        e2e.fail('the workstation did not exit within %.0f s' % timeout)

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def main(t):
    srv = t.server()
    e2e.provision(srv, group='support', number='4001', wrap_up=1,
                  agents=[('agent1', None, None, AGENT_PHONE)])
    token = srv.ctl('token', 'create', '--user', 'agent1', json=False)
    argv = [e2e.bin_path('lianluo-agent')] + e2e.agent_args(srv, 'agent1',
                                                             token)
    term = Terminal(t, argv)
    try:
        run(t, srv, term)
    finally:
        term.kill()
    screen = term.out.decode('utf-8', 'replace')
    e2e.assert_text_clean(screen, 'the workstation\'s screen',
                          numbers=[CUSTOMER, AGENT_PHONE], secrets=[token])
    e2e.check(not re.search(r'ERROR: (Address|Leak)Sanitizer|runtime '
                            r'error:', screen),
              'sanitizer report from the workstation, see %s'
              % term.log_path)


def run(t, srv, term):
    term.expect('[logged in] free | call idle', 15)
    srv.wait_agent_status('agent1', 'free')
    lf = term.lflag()
    e2e.check(not lf & termios.ICANON and not lf & termios.ECHO,
              'the terminal is not in non-canonical no-echo mode')

    mark = term.key('d')
    term.expect('dial: _', since=mark)
    mark = term.key('4002')
    term.expect('dial: 4002_', since=mark)
    mark = term.key('\x1b')
    term.expect('[logged in] free | call idle', since=mark)

    # Status keys: r asks for the rest reason, n notReady, f free.
    mark = term.key('r')
    term.expect('rest reason: _', since=mark)
    mark = term.key('lunch\r')
    term.expect('event status rest lunch', 5, since=mark)
    term.expect('[logged in] rest (lunch) | call idle', 5, since=mark)
    srv.wait_agent_status('agent1', 'rest')
    mark = term.key('n')
    term.expect('[logged in] notReady | call idle', 5, since=mark)
    srv.wait_agent_status('agent1', 'notReady')
    mark = term.key('f')
    term.expect('[logged in] free | call idle', 5, since=mark)
    srv.wait_agent_status('agent1', 'free')

    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000)
    mark = len(term.out)
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    term.expect('call ringing %s' % e2e.mask_digits(CUSTOMER), 10,
                since=mark)

    mark = term.key('a')
    term.expect('event accepted', 10, since=mark)
    term.expect('call talking', 5, since=mark)
    srv.wait_agent_status('agent1', 'busy', timeout=5)

    mark = term.key('m')
    term.expect('MUTED', since=mark)
    term.key('1')
    digit = customer.wait_event('CALL_DTMF_START', 5)['param']
    e2e.check(digit == '1', 'the customer got DTMF %r, expected 1' % digit)

    mark = term.key('h')
    term.expect('event ended reason=localBye', 5, since=mark)
    term.expect('free | call idle', 5, since=mark)
    customer.wait_event('CALL_CLOSED', 5)

    mark = len(term.out)
    os.kill(term.pid, signal.SIGTERM)
    rc = term.wait_exit(10)
    e2e.check(rc == 0, 'the workstation exited %d after SIGTERM; last '
              'output: %r' % (rc, term.out[-400:]))
    term.expect('event logout ok', 1, since=mark)
    lf = term.lflag()
    e2e.check(lf & termios.ICANON and lf & termios.ECHO,
              'the terminal was not restored after SIGTERM')
    e2e.log('SIGTERM: logged out, terminal restored, exit 0')


if __name__ == '__main__':
    e2e.run(main, timeout=60)
