#!/usr/bin/env python3
"""An IVR menu on a service number, end to end.

Menu "main" on number 4001: 1 -> sales (priority 5), 2 -> support,
0 -> hang up; a 1 s welcome prompt (440 Hz) from the prompt directory,
"invalid" missing (a short tone instead).  Agents are baresip phones
registered in each group.

- The API refuses bad menus (path traversal in a prompt, unknown group or
  sub-menu, hostile JSON) with 400 and keeps serving; a menu in use can
  not be deleted (409).
- A customer presses 9 (not an option), then 2 as RFC 4733 events: the
  support agent's phone rings and answers; the CDR's group is support.
  The customer heard the welcome prompt first.
- A customer presses 7 (no option), then 0: the menu hangs up, CDR end
  status "ivr-ended"; the missing "invalid" prompt is logged once only.
- A customer presses nothing: after max_tries timeouts the menu hangs up
  ("ivr-ended").
- A customer hangs up in the menu: "ivr-abandoned".
- A G.711 customer whose audio carries a DTMF 1 (two sines, made with
  sox) and who sends no telephone-event: the in-band digit routes the call
  to sales.
- A bare SIP caller offering PCMA without telephone-event, whose RTP
  carries a DTMF 2 (synthesized here): routed to support in-band.
- Priority: a caller who chose option 1 (priority 5) is served before one
  who waited longer with the number's priority 0.
- The server log has neither the customer's number nor the digit pressed
  that is not an option.
"""

import math
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lianluo_e2e as e2e  # noqa: E402

CUSTOMER = '13812345678'
CUSTOMER2 = '13987654321'
CUSTOMER3 = '13611112222'
SALES_PHONE = '13700001001'
SUPPORT_PHONE = '13700001002'
PW1 = 'Ag1-pw-Xq7Lm2'
PW2 = 'Ag2-pw-Rt5Kd9'

MENU = {
    'prompt': 'welcome',
    'invalid_prompt': 'invalid',
    'timeout_s': 2,
    'max_tries': 2,
    'options': {
        '1': {'group': 'sales', 'priority': 5},
        '2': {'group': 'support'},
        '0': {'hangup': True},
    },
}


def sox(*args):
    subprocess.run(['sox', '-n', '-r', '8000', '-c', '1', '-b', '16',
                    '-e', 'signed-integer'] + list(args), check=True)


def api_checks(t, srv):
    """Configuration: what is refused, what is kept."""
    def put(name, spec, want):
        body = spec if isinstance(spec, bytes) else \
            e2e.jsonlib.dumps(spec).encode()
        r = srv.api('PUT', '/v1/ivr-menus/' + name, body)
        e2e.check(r.status == want, 'PUT menu %s: %d %s, expected %d'
                  % (name, r.status, r.body[:200], want))
        return r

    bad = dict(MENU, prompt='../../etc/passwd')
    r = put('main', bad, 400)
    e2e.check(b'no path' in r.body, 'traversal refused without a reason: %s'
              % r.body)
    put('main', dict(MENU, prompt='..'), 400)
    put('main', dict(MENU, invalid_prompt='a/b'), 400)
    r = put('main', dict(MENU, options={'1': {'group': 'nosuch'}}), 400)
    e2e.check(b'nosuch' in r.body, 'unknown group not named: %s' % r.body)
    put('main', dict(MENU, options={'1': {'menu': 'nosuch'}}), 400)
    put('main', dict(MENU, options={'1': {'group': 'sales'}},
                     colour='red'), 400)
    put('main', b'{"prompt":' * 300, 400)
    put('main', b'{"prompt":"' + b'a' * 5000 + b'"}', 413)
    put('main', b'\x00\xff{', 400)
    put('main', b'[]', 400)
    put('..', MENU, 400)
    e2e.check(srv.healthz() == 200, 'server stopped serving after bad menus')

    # the real one, created then replaced
    put('main', dict(MENU, timeout_s=3), 201)
    r = put('main', MENU, 200)
    spec = r.json['spec']
    e2e.check(spec['timeout_s'] == 2 and spec['options']['1'] ==
              {'group': 'sales', 'priority': 5}, 'stored spec: %s' % spec)
    # a menu may name itself; sub-menus must exist
    put('again', {'prompt': 'welcome', 'options': {
        '9': {'menu': 'again'}, '1': {'menu': 'main'}}}, 201)

    listed = srv.ctl('ivr', 'list')
    e2e.check([m['name'] for m in listed['ivr_menus']] == ['again', 'main'],
              'ivr list: %s' % listed)

    # numbers: unknown menu refused, a menu in use can not go
    r = srv.api('POST', '/v1/numbers', {'number': '4009', 'ivr': 'nosuch'})
    e2e.check(r.status == 404, 'number with unknown menu: %d' % r.status)
    r = srv.api('POST', '/v1/numbers', {'number': '4009',
                                        'skill_group': 'sales',
                                        'priority': 101})
    e2e.check(r.status == 400, 'priority 101: %d' % r.status)
    n = srv.ctl('number', 'create', '--number', '4001', '--ivr', 'main',
                '--priority', '3')
    e2e.check(n['ivr'] == 'main' and n['priority'] == 3 and
              n['skill_group'] == '', 'number created: %s' % n)
    r = srv.api('DELETE', '/v1/ivr-menus/main')
    e2e.check(r.status == 409, 'delete menu in use (number, and menu '
              '"again"): %d' % r.status)
    srv.ctl('ivr', 'delete', '--name', 'again')
    r = srv.api('DELETE', '/v1/ivr-menus/main')
    e2e.check(r.status == 409 and b'service number' in r.body,
              'delete menu in use: %d %s' % (r.status, r.body))

    spec_file = t.path('spec.json')
    with open(spec_file, 'w') as f:
        f.write(e2e.jsonlib.dumps(MENU))
    srv.ctl('ivr', 'set', '--name', 'main', '--file', spec_file)
    got = srv.ctl('ivr', 'get', '--name', 'main')
    e2e.check(got['spec']['prompt'] == 'welcome', 'ivr get: %s' % got)
    e2e.log('API: bad menus refused, menu in use kept')


def one_call(srv, phone, dtmf=None, hangup_after=None):
    """Dial 4001; optionally press keys or hang up; wait for the end."""
    phone.dial(srv.number_uri('4001'))
    phone.wait_event('CALL_ESTABLISHED', 10)
    if dtmf:
        time.sleep(0.3)
        for d in dtmf:
            phone.send_dtmf(d)
            time.sleep(0.4)
    if hangup_after is not None:
        time.sleep(hangup_after)
        phone.hangup()
    return phone.wait_event('CALL_CLOSED', 15)


def raw_inband_call(srv, agent):
    """A bare SIP caller offering PCMA only, whose audio is 1 s of
    silence, DTMF 2 for 200 ms (two sines), then silence."""
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind((e2e.LOOPBACK, 0))
    port = rtp.getsockname()[1]
    sdp = ('v=0\r\no=- 7 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n'
           't=0 0\r\nm=audio %d RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n'
           'a=sendrecv\r\n' % (e2e.LOOPBACK, e2e.LOOPBACK, port)).encode()
    c = e2e.SipClient(srv.sip_port, 'udp', user=CUSTOMER3)
    uri = srv.number_uri('4001')
    call_id = 'raw-inband@127.0.0.1'
    try:
        r = c.request('INVITE', uri, call_id=call_id, cseq=1, body=sdp,
                      timeout=5)
        e2e.check(r is not None and r.status == 200,
                  'INVITE without telephone-event: %r' % r)
        e2e.check('telephone-event' not in r.body,
                  'the answer offers telephone-event')
        to_tag = r.header('To').partition(';tag=')[2].split(';')[0]
        m = re.search(r'm=audio (\d+)', r.body)
        dst = (e2e.LOOPBACK, int(m.group(1)))
        c.send_raw(c.build('ACK', uri, call_id=call_id, cseq=1,
                           to_tag=to_tag))

        # Hostile RTP first: the IVR's listener must shrug it off.
        junk = [b'\x80', b'\x8f' + b'\x08' * 11,           # 15 CSRCs, none
                b'\xa0\x08' + b'\x00' * 10 + b'\xff',     # padding > size
                b'\x90\x08' + b'\x00' * 10 + b'\xff\xff\x40\x00',
                b'\x80\x65' + b'\x00' * 10 + b'\x02',     # event, short
                b'\x80\x08' + b'\x00' * 10,                # no payload
                b'\x80\x08' + b'\x00' * 10 + b'\xd5' * 3000]
        for j in junk:
            rtp.sendto(j, dst)

        seq, ts, ssrc = 1000, 5000, 0x1234abcd
        start = time.monotonic()
        for i in range(150):                # 3 s of 20 ms packets
            samples = []
            for k in range(160):
                n = i * 160 + k
                x = 0.0
                if 50 <= i < 60:            # 1.0 s to 1.2 s
                    x = 6000 * (math.sin(2 * math.pi * 697 * n / 8000) +
                                math.sin(2 * math.pi * 1336 * n / 8000))
                samples.append(int(x))
            payload = bytes(alaw(v) for v in samples)
            hdr = struct.pack('!BBHII', 0x80, 8, seq & 0xffff,
                              ts & 0xffffffff, ssrc)
            rtp.sendto(hdr + payload, dst)
            seq += 1
            ts += 160
            time.sleep(max(0, start + (i + 1) * 0.02 - time.monotonic()))
            if agent.has_event('CALL_ESTABLISHED'):
                break
        agent.wait_event('CALL_ESTABLISHED', 5)

        r = c.request('BYE', uri, call_id=call_id, to_tag=to_tag)
        e2e.check(r is not None and r.status == 200, 'BYE: %r' % r)
        agent.wait_event('CALL_CLOSED', 5)
    finally:
        c.close()
        rtp.close()


def alaw(v):
    """G.711 A-law of one 16-bit sample (ITU-T G.711 table 1/2)."""
    sign = 0xd5 if v >= 0 else 0x55
    v = min(abs(v) if v >= 0 else abs(v) - 1, 32767) >> 3
    if v < 32:
        code = v >> 1
    else:
        seg = v.bit_length() - 5
        code = (seg << 4) | ((v >> seg) & 0x0f)
    return code ^ sign


def main(t):
    srv = t.server()
    prompts = os.path.join(srv.data_dir, 'prompts')
    os.makedirs(prompts, exist_ok=True)
    sox(os.path.join(prompts, 'welcome.wav'), 'synth', '1.0', 'sine', '440',
        'vol', '0.5')

    e2e.provision(srv, group='sales', number=None, wrap_up=0,
                  agents=[('sales1', '1001', PW1, SALES_PHONE)])
    e2e.provision(srv, group='support', number=None, wrap_up=0,
                  agents=[('support1', '1002', PW2, SUPPORT_PHONE)])
    api_checks(t, srv)

    sales = t.phone('sales1', user='1001', password=PW1,
                    registrar=srv.sip_port, tone_hz=700)
    support = t.phone('support1', user='1002', password=PW2,
                      registrar=srv.sip_port, tone_hz=900)
    sales.wait_registered()
    support.wait_registered()
    srv.wait_agent_status('sales1', 'free')
    srv.wait_agent_status('support1', 'free')

    # 1. RFC 4733: 9 (no such option), then 2 -> support
    customer = t.phone('customer', user=CUSTOMER, registrar=srv.sip_port,
                       register=False, tone_hz=1000, codecs=('g711',))
    customer.dial(srv.number_uri('4001'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    time.sleep(1.5)              # the welcome prompt plays
    customer.send_dtmf('9')
    time.sleep(0.8)
    customer.send_dtmf('2')
    support.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('support1', 'busy', timeout=5)
    e2e.check(srv.agent_status('sales1') == 'free',
              'sales was offered a call for support')
    customer.wait_audio(3)
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    support.wait_event('CALL_CLOSED', 5)
    row = srv.wait_cdrs(1)[0]
    e2e.assert_cdr(row, caller=CUSTOMER, callee='4001', group='support',
                   agent='support1', end_status='answered')
    e2e.assert_tone(customer.recording('dec'), 440,
                    'the caller hears the welcome prompt', from_s=0.2,
                    to_s=0.9, min_fraction=0.6)
    e2e.log('digit 2 (RFC 4733) reached support')

    # 2. 7 (no option: the missing invalid prompt again), 0 -> hang up
    one_call(srv, customer, dtmf='70')
    row = srv.wait_cdrs(2)[0]
    e2e.assert_cdr(row, caller=CUSTOMER, end_status='ivr-ended',
                   hangup_side='system', group='', agent='')

    # 3. nothing pressed: two tries of (prompt 1 s + 2 s), then the end
    start = time.monotonic()
    one_call(srv, customer)
    took = time.monotonic() - start
    e2e.check(5 <= took <= 12, 'no-input call took %.1f s, expected ~6'
              % took)
    row = srv.wait_cdrs(3)[0]
    e2e.assert_cdr(row, end_status='ivr-ended', hangup_side='system')

    # 4. the caller leaves during the menu
    one_call(srv, customer, hangup_after=1.0)
    row = srv.wait_cdrs(4)[0]
    e2e.assert_cdr(row, end_status='ivr-abandoned', hangup_side='caller')
    e2e.log('hang-up option, no input and abandon end as specified')

    # 5. in-band: DTMF 1 in the caller's PCMU audio, no telephone-event
    wav = t.path('dtmf1.wav')
    sox(wav, 'synth', '0.25', 'sine', '697', 'sine', '1209', 'vol', '0.5',
        'pad', '1.2', '30')
    inband = t.phone('inband', user=CUSTOMER2, registrar=srv.sip_port,
                     register=False, wav=wav, codecs=('g711',))
    inband.dial(srv.number_uri('4001'))
    inband.wait_event('CALL_ESTABLISHED', 10)
    sales.wait_event('CALL_ESTABLISHED', 10)
    srv.wait_agent_status('sales1', 'busy', timeout=5)
    inband.hangup()
    inband.wait_event('CALL_CLOSED', 5)
    row = srv.wait_cdrs(5)[0]
    e2e.assert_cdr(row, caller=CUSTOMER2, group='sales', agent='sales1',
                   end_status='answered')
    e2e.log('in-band digit 1 reached sales')

    # 6. in-band from a caller whose offer has no telephone-event at all
    raw_inband_call(srv, support)
    row = srv.wait_cdrs(6)[0]
    e2e.assert_cdr(row, caller=CUSTOMER3, group='support',
                   agent='support1', end_status='answered')
    e2e.log('in-band digit 2 (PCMA, no telephone-event) reached support')

    # 7. the option's priority: with no sales agent, a caller of 4002
    # (straight to sales, priority 0) waits first, then the in-band caller
    # chooses 1 (sales, priority 5); the agent who comes back gets the
    # second caller first.
    srv.ctl('number', 'create', '--number', '4002', '--skill-group', 'sales')
    sales.quit()
    srv.wait_agent_status('sales1', 'offline')
    customer.dial(srv.number_uri('4002'))
    customer.wait_event('CALL_ESTABLISHED', 10)
    time.sleep(0.5)
    inband.dial(srv.number_uri('4001'))
    inband.wait_event('CALL_ESTABLISHED', 10)
    e2e.wait_until(lambda: 'option 1' in srv.log_text().split(
        'IVR menu main')[-1], 10, 'the in-band caller chose 1')
    # (it may answer before its ctrl_tcp is up: judged by the CDRs)
    t.phone('sales1b', user='1001', password=PW1, registrar=srv.sip_port,
            tone_hz=700)
    srv.wait_agent_status('sales1', 'busy', timeout=10)
    inband.hangup()
    inband.wait_event('CALL_CLOSED', 5)
    row = srv.wait_cdrs(7)[0]
    e2e.assert_cdr(row, caller=CUSTOMER2, group='sales', agent='sales1',
                   end_status='answered')
    srv.wait_agent_status('sales1', 'busy', timeout=10)   # the other one
    customer.hangup()
    customer.wait_event('CALL_CLOSED', 5)
    # listed by start: the 4002 call began before the in-band one
    row = [r for r in srv.wait_cdrs(8) if r['callee'] == '4002'][0]
    e2e.assert_cdr(row, caller=CUSTOMER, agent='sales1',
                   end_status='answered')
    first = [r for r in srv.wait_cdrs(8) if r['callee'] == '4001'][0]
    e2e.check(first['answered_ms'] < row['answered_ms'],
              'the priority-5 caller was not answered first')
    e2e.log('the IVR option\'s priority 5 was served before priority 0')

    # 8. the log: no numbers, and the key that was no option is not there
    e2e.assert_log_clean(srv, numbers=[CUSTOMER, CUSTOMER2, CUSTOMER3,
                                       SALES_PHONE, SUPPORT_PHONE])
    text = srv.log_text()
    for line in text.splitlines():
        if 'sip: call' not in line or 'IVR' not in line:
            continue
        bare = re.sub(r'[0-9a-f]{32}|^\S+ \S+|\d+\.\d+\.\d+\.\d+:\d+', '',
                      line)
        e2e.check('9' not in bare and '7' not in bare, 'an IVR log line '
                  'may show a key that is no option: %s' % line)
    e2e.check(text.count("IVR prompt 'invalid' not found") == 1,
              'the missing prompt is logged once')


if __name__ == '__main__':
    e2e.run(main, timeout=120)
