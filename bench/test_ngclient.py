#!/usr/bin/env python3
"""bench/test_ngclient.py  The ng client's bencode, on good and hostile input

Copyright (C) 2026 The lianluo authors

What rtpengine answers is parsed by bdecode(): a truncated, malformed or
oversized answer must raise ValueError, never another exception, a hang
or a crash (nesting is bounded).  And a real offer
and answer through rtpengine, when it is installed.
"""
import os
import random
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ngclient  # noqa: E402


def check(cond, msg):
    if not cond:
        print('FAIL: %s' % msg)
        sys.exit(1)


def round_trip():
    v = {'command': 'offer', 'call-id': 'x', 'n': 42, 'neg': -7,
         'flags': ['a', 'b'], 'nested': {'z': [1, {'k': b'\xff\x00'}]}}
    enc = ngclient.bencode(v)
    check(enc.startswith(b'd7:call-id1:x7:command5:offer'),
          'keys are not sorted: %r' % enc[:40])
    dec = ngclient.bdecode(enc)
    check(dec['n'] == 42 and dec['neg'] == -7, 'integers: %r' % dec)
    check(dec['flags'] == ['a', 'b'], 'list: %r' % dec['flags'])
    check(dec['nested']['z'][1]['k'] == b'\xff\x00',
          'binary string: %r' % dec['nested'])


def hostile():
    bad = [b'', b'd', b'l', b'i', b'ie', b'i12', b'5:abc', b'3:abcd',
           b'd3:key', b'd3:keyi1e', b'x', b'-1:a', b'99999999999:a',
           b'i1ei2e', b'de_', b'l' * 100000, b'd' * 100000,
           b'd1:a' * 50000, b'i--1e', b'ixe', b'1:']
    rnd = random.Random(7)
    good = ngclient.bencode({'result': 'ok', 'sdp': 'v=0\r\n' * 10,
                             'list': [1, 2, 'three']})
    for _ in range(2000):
        b = bytearray(good)
        for _ in range(rnd.randint(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        bad.append(bytes(b[:rnd.randint(0, len(b))]))
    for data in bad:
        try:
            ngclient.bdecode(data)
        except ValueError:
            pass
        # a mutation may still be valid bencode; anything else is a bug
    check(True, '')


def live():
    exe = shutil.which('rtpengine')
    if not exe:
        print('rtpengine not installed: live offer/answer skipped')
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([exe, '--config-file=none', '--table=-1',
                          '--foreground', '--log-stderr',
                          '--interface=127.0.0.1',
                          '--listen-ng=127.0.0.1:%d' % port,
                          '--port-min=40000', '--port-max=40999'],
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        ng = ngclient.NgClient(port, timeout=0.5)
        deadline = time.time() + 10
        while True:
            try:
                ng.ping()
                break
            except (OSError, RuntimeError):
                check(time.time() < deadline and p.poll() is None,
                      'rtpengine did not answer ping')
        to_a, to_b = ng.call('test-1', 10000, 10002)
        check(40000 <= to_a <= 40999 and 40000 <= to_b <= 40999 and
              to_a != to_b, 'rtpengine ports %d %d' % (to_a, to_b))
        ng.delete('test-1')
        # a garbage datagram does not stop it answering
        ng.sock.sendto(b'junk d3:abc', ng.addr)
        ng.ping()
        ng.close()
    finally:
        p.terminate()
        p.wait(10)


def main():
    round_trip()
    hostile()
    live()
    print('PASS ngclient')
    return 0


if __name__ == '__main__':
    sys.exit(main())
