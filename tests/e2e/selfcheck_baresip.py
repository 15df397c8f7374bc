#!/usr/bin/env python3
"""Self-check of the end-to-end harness, with no lianluod at all.

Run it when the harness, baresip or sox change, or when a server test fails
in a way that smells of the harness:

    LL_TONECHECK=build/tests/ll_tonecheck \
        python3 tests/e2e/selfcheck_baresip.py

(without LL_TONECHECK it compiles tonecheck.c itself).  It is not named
test_*.py, so ctest does not run it.

What a pass proves:

1. ll_tonecheck tells tones apart on sox-made files: it finds 1 kHz, 700 Hz
   and 425 Hz where they are and not elsewhere, and finds no tone in
   silence or white noise, in mono 8 kHz and stereo 48 kHz; --absent works.
2. Two harness Phones (baresip configured by lianluo_e2e.Phone) call each
   other directly on 127.0.0.1 (no registration, sip:<user>@127.0.0.1:
   <port>): the ctrl_tcp commands dial, accept (manual answer), sndcode
   and hangup work, the events CALL_INCOMING / CALL_ESTABLISHED /
   CALL_DTMF_START / CALL_CLOSED arrive with the peer's URI, and RTP flows
   both ways.  So a server test that sees no event or no audio is looking
   at the server.
3. The recordings mean what the tests assume: each phone's dec recording
   holds the other phone's tone and not its own, its enc recording its own
   tone; and a second call's recordings are told apart from the first's.
4. Registration: against a minimal Python registrar that challenges with
   realm "lianluo" and checks the MD5 digest using the harness's own
   digest_authorization(), a phone with the right password registers and
   wait_registered() sees it; with a wrong password (answered 403)
   wait_registered() reports the failure at once instead of timing out.
   That also proves the harness computes digests exactly as baresip does.
5. Every process the harness started is gone after cleanup.
"""

import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402


def check_tonecheck(t):
    def sox(name, *synth, rate=8000, channels=1):
        path = t.path(name)
        e2e.subprocess.run(['sox', '-n', '-r', str(rate), '-c',
                            str(channels), '-b', '16', '-e',
                            'signed-integer', path] + list(synth),
                           check=True)
        return path

    s1k = sox('s1k.wav', 'synth', '3', 'sine', '1000', 'vol', '0.5')
    s700 = sox('s700.wav', 'synth', '3', 'sine', '700', 'vol', '0.5')
    s425 = sox('s425.wav', 'synth', '3', 'sine', '425', 'vol', '0.1')
    silence = sox('silence.wav', 'trim', '0', '3')
    noise = sox('noise.wav', 'synth', '3', 'whitenoise', 'vol', '0.5')
    st1k = sox('st1k.wav', 'synth', '3', 'sine', '1000', 'vol', '0.5',
               rate=48000, channels=2)
    cases = [(s1k, 1000, True), (s1k, 700, False), (s700, 700, True),
             (s700, 1000, False), (s425, 425, True), (s425, 1000, False),
             (silence, 1000, False), (silence, 425, False),
             (noise, 1000, False), (noise, 700, False), (st1k, 1000, True),
             (st1k, 700, False)]
    for path, freq, expect in cases:
        ok, out = e2e.tonecheck(path, freq)
        e2e.log('tonecheck %-12s %s' % (os.path.basename(path), out))
        e2e.check(ok == expect, 'tonecheck %s %d Hz: expected %s, got %s'
                  % (path, freq, expect, out))
        absent, _ = e2e.tonecheck(path, freq, absent=True)
        e2e.check(absent == (not expect), 'tonecheck --absent %s %d Hz'
                  % (path, freq))


def check_direct_calls(t):
    alice = t.phone('alice', user='alice', tone_hz=1000)
    bob = t.phone('bob', user='bob', tone_hz=700, answer='manual')

    # call 1: alice -> bob, bob answers by hand, alice sends DTMF
    alice.dial('sip:bob@127.0.0.1:%d' % bob.sip_port)
    inc = bob.wait_event('CALL_INCOMING', 5)
    e2e.check(bob.uri_user(inc['peeruri']) == 'alice',
              'bob sees the call from %r, expected alice' % inc['peeruri'])
    e2e.check(not alice.has_event('CALL_ESTABLISHED'),
              'alice was connected before bob answered')
    bob.answer()
    est = alice.wait_event('CALL_ESTABLISHED', 5)
    e2e.check(alice.uri_user(est['peeruri']) == 'bob',
              'alice is connected to %r, expected bob' % est['peeruri'])
    bob.wait_event('CALL_ESTABLISHED', 5)

    alice.send_dtmf('12#')
    digits = ''.join(bob.wait_event('CALL_DTMF_START', 5)['param']
                     for _ in range(3))
    e2e.check(digits == '12#', 'bob got DTMF %r, expected 12#' % digits)

    alice.wait_audio(4)
    bob.wait_audio(4)
    alice.hangup()
    closed_a = alice.wait_event('CALL_CLOSED', 5)
    closed_b = bob.wait_event('CALL_CLOSED', 5)
    e2e.log('CALL_CLOSED reasons: alice %r, bob %r'
            % (closed_a.get('param'), closed_b.get('param')))

    e2e.assert_tone(bob.recording('dec'), 1000, 'bob heard alice')
    e2e.assert_no_tone(bob.recording('dec'), 700, 'bob did not hear himself')
    e2e.assert_tone(alice.recording('dec'), 700, 'alice heard bob')
    e2e.assert_no_tone(alice.recording('dec'), 1000,
                       'alice did not hear herself')
    e2e.assert_tone(alice.recording('enc'), 1000, 'alice sent 1 kHz')
    e2e.assert_tone(bob.recording('enc'), 700, 'bob sent 700 Hz')
    first = (alice.recording('dec'), bob.recording('dec'))

    # call 2: bob -> alice (auto answer); new recordings, same tones
    bob.dial('sip:alice@127.0.0.1:%d' % alice.sip_port)
    alice.wait_event('CALL_ESTABLISHED', 5)
    bob.wait_event('CALL_ESTABLISHED', 5)
    bob.wait_audio(3)
    alice.wait_audio(3)
    alice.hangup()
    bob.wait_event('CALL_CLOSED', 5)
    alice.wait_event('CALL_CLOSED', 5)
    second = (alice.recording('dec'), bob.recording('dec'))
    e2e.check(first[0] != second[0] and first[1] != second[1],
              'the second call reused the first call\'s recordings')
    e2e.assert_tone(second[1], 1000, 'bob heard alice (2nd call)')
    e2e.assert_tone(second[0], 700, 'alice heard bob (2nd call)')


class Registrar:
    """Just enough of a registrar: 401 with a challenge, then 200 or 403
    depending on whether the digest is right (checked with the harness's
    digest code)."""

    CHALLENGE = ('Digest realm="lianluo", nonce="4b1d2a9c", '
                 'algorithm=MD5, qop="auth"')

    def __init__(self, users):
        self.users = users
        self.port = e2e.free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((e2e.LOOPBACK, self.port))
        self.sock.settimeout(0.5)
        self.verdicts = []
        self.stopped = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            req = e2e.SipMessage(data)
            method, uri = req.first_line.split(' ')[:2]
            keep = ''.join('%s: %s\r\n' % (h, req.header(h))
                           for h in ('Via', 'From', 'Call-ID', 'CSeq'))
            to = 'To: %s;tag=reg1\r\n' % req.header('To')
            if method != 'REGISTER':
                resp = 'SIP/2.0 405 Method Not Allowed\r\n' + keep + to
            elif not req.header('Authorization'):
                resp = ('SIP/2.0 401 Unauthorized\r\n' + keep + to +
                        'WWW-Authenticate: %s\r\n' % self.CHALLENGE)
            else:
                auth = e2e.parse_challenge(req.header('Authorization'))
                user = auth.get('username')
                want = None
                if user in self.users:
                    want = e2e.parse_challenge(e2e.digest_authorization(
                        user, self.users[user], 'REGISTER', auth['uri'],
                        self.CHALLENGE, cnonce=auth.get('cnonce')))
                good = want is not None and \
                    want['response'] == auth.get('response')
                self.verdicts.append((user, good))
                if good:
                    resp = ('SIP/2.0 200 OK\r\n' + keep + to +
                            'Contact: %s;expires=60\r\n'
                            % req.header('Contact').split(';')[0])
                else:
                    resp = 'SIP/2.0 403 Forbidden\r\n' + keep + to
            resp += 'Content-Length: 0\r\n\r\n'
            self.sock.sendto(resp.encode(), addr)

    def stop(self):
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


def check_registration(t):
    reg = Registrar({'1001': 'right-pw-1'})
    try:
        good = t.phone('reg-good', user='1001', tone_hz=700,
                       registrar=reg.port, password='right-pw-1')
        good.wait_registered(5)
        bad = t.phone('reg-bad', user='1001', tone_hz=700,
                      registrar=reg.port, password='wrong-pw-2')
        try:
            bad.wait_registered(5)
        except e2e.TestTimeout:
            raise
        except e2e.TestFailure as e:
            e2e.check('timed out' not in str(e),
                      'a refused registration was seen only as a '
                      'timeout: %s' % e)
            e2e.log('wrong password reported: %s' % e)
        else:
            e2e.fail('a phone with a wrong password counted as registered')
        e2e.check(('1001', True) in reg.verdicts and
                  ('1001', False) in reg.verdicts,
                  'registrar verdicts: %s' % reg.verdicts)
        sent = [m for m in good.sip_messages()
                if m[3].startswith('REGISTER ')]
        e2e.check(sent, 'no REGISTER in the SIP trace of reg-good')
        # quit while the registrar still answers their un-REGISTER
        good.quit()
        bad.quit()
    finally:
        reg.stop()


def main(t):
    check_tonecheck(t)
    check_direct_calls(t)
    check_registration(t)

    pids = [p.pid for p in t.procs]
    t.cleanup()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        e2e.fail('process %d survived the cleanup' % pid)
    e2e.log('all %d processes gone after cleanup' % len(pids))


if __name__ == '__main__':
    e2e.run(main, timeout=90, name='selfcheck_baresip')
