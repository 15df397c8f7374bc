"""bench/ngclient.py  A minimal client of rtpengine's ng control protocol

Copyright (C) 2026 The lianluo authors

The ng protocol is one UDP datagram per request: a cookie, a space and a
bencoded dictionary; the answer repeats the cookie.  Only what the
benchmark needs is here: offer, answer and delete of plain RTP/AVP calls.
"""
import os
import re
import socket


def bencode(v):
    """Encode str, bytes, int, list or dict (keys sorted) as bencode."""
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return b'i%de' % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b'%d:%s' % (len(v), v)
    if isinstance(v, (list, tuple)):
        return b'l' + b''.join(bencode(x) for x in v) + b'e'
    if isinstance(v, dict):
        out = b'd'
        for k in sorted(v, key=lambda k: k.encode() if isinstance(k, str)
                        else k):
            out += bencode(k) + bencode(v[k])
        return out + b'e'
    raise TypeError('cannot bencode %r' % type(v))


MAX_DEPTH = 32


def bdecode(data):
    """Decode one bencoded value; strings come back as str when UTF-8.
    Anything malformed raises ValueError."""
    def dec(i, depth=0):
        if depth > MAX_DEPTH:
            raise ValueError('nested too deep')
        c = data[i:i + 1]
        if c == b'i':
            end = data.index(b'e', i)
            return int(data[i + 1:end]), end + 1
        if c == b'l':
            i += 1
            out = []
            while data[i:i + 1] != b'e':
                v, i = dec(i, depth + 1)
                out.append(v)
            return out, i + 1
        if c == b'd':
            i += 1
            out = {}
            while data[i:i + 1] != b'e':
                k, i = dec(i, depth + 1)
                if not isinstance(k, (str, bytes)):
                    raise ValueError('dictionary key is not a string')
                v, i = dec(i, depth + 1)
                out[k] = v
            return out, i + 1
        if c.isdigit():
            colon = data.index(b':', i)
            if not data[i:colon].isdigit():
                raise ValueError('bad string length')
            n = int(data[i:colon])
            s = data[colon + 1:colon + 1 + n]
            if len(s) != n:
                raise ValueError('truncated string')
            try:
                s = s.decode()
            except UnicodeDecodeError:
                pass
            return s, colon + 1 + n
        raise ValueError('bad bencode at %d' % i)

    v, end = dec(0)
    if end != len(data):
        raise ValueError('trailing bytes')
    return v


def sdp(port, sess_id):
    """A one-stream PCMU offer or answer from 127.0.0.1:port."""
    return ('v=0\r\n'
            'o=- %d 1 IN IP4 127.0.0.1\r\n'
            's=-\r\n'
            'c=IN IP4 127.0.0.1\r\n'
            't=0 0\r\n'
            'm=audio %d RTP/AVP 0\r\n'
            'a=rtpmap:0 PCMU/8000\r\n'
            'a=ptime:20\r\n'
            'a=sendrecv\r\n') % (sess_id, port)


class NgClient:
    def __init__(self, port, host='127.0.0.1', timeout=2.0):
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.seq = 0
        self.prefix = os.urandom(4).hex()

    def close(self):
        self.sock.close()

    def request(self, cmd, **fields):
        self.seq += 1
        cookie = ('%s_%d' % (self.prefix, self.seq)).encode()
        body = dict(fields, command=cmd)
        self.sock.sendto(cookie + b' ' + bencode(body), self.addr)
        while True:
            data, _ = self.sock.recvfrom(65535)
            head, _, rest = data.partition(b' ')
            if head == cookie:
                break
        reply = bdecode(rest)
        if not isinstance(reply, dict):
            raise RuntimeError('rtpengine %s: answer is not a dictionary'
                               % cmd)
        if reply.get('result') not in ('ok', 'pong'):
            raise RuntimeError('rtpengine %s: %s' %
                               (cmd, reply.get('error-reason', reply)))
        return reply

    def ping(self):
        return self.request('ping')

    def call(self, call_id, port_a, port_b):
        """Offer from A, answer from B: the rtpengine ports that A and B
        send to, in that order."""
        r = self.request('offer', **{'call-id': call_id, 'from-tag': 'a',
                                     'sdp': sdp(port_a, 1)})
        to_b = media_port(r['sdp'])
        r = self.request('answer', **{'call-id': call_id, 'from-tag': 'a',
                                      'to-tag': 'b', 'sdp': sdp(port_b, 2)})
        to_a = media_port(r['sdp'])
        return to_a, to_b

    def delete(self, call_id):
        self.request('delete', **{'call-id': call_id, 'from-tag': 'a'})


def media_port(sdp_text):
    m = re.search(r'^m=audio (\d+) ', sdp_text, re.M)
    if not m:
        raise RuntimeError('no m=audio in rtpengine SDP')
    return int(m.group(1))
