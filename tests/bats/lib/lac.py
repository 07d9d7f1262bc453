#!/usr/bin/env python3
"""A minimal L2TP LAC for the daemon's bats tests.

Written from RFC 2661 independently of l2tpsrv's codec, so that a bug shared
by our encoder and decoder cannot hide. Prints what it saw as key=value
lines for the tests to check.

  lac.py HOST PORT setup [--hold SECONDS]    tunnel + session to established
  lac.py HOST PORT bad-avp                   SCCRQ with an unknown mandatory AVP
  lac.py HOST PORT garbage COUNT             malformed datagrams, then a probe
  lac.py HOST PORT probe                     one SCCRQ; prints reply=TYPE or reply=none
  lac.py HOST PORT nat-pair [--hold SECONDS] two clients behind one NAT (see nat_pair)

It sends from LAC_SOURCE (default 127.0.0.1), port LAC_PORT (default: any).
Data messages (PPP from the server's pppd) are ignored.
"""
import os
import random
import socket
import struct
import sys
import time

T_L_S_V2 = 0xC802


def avp(attr, value, mandatory=True, vendor=0):
    flags_len = (0x8000 if mandatory else 0) | (6 + len(value))
    return struct.pack('!HHH', flags_len, vendor, attr) + value


def u16(v):
    return struct.pack('!H', v)


def u32(v):
    return struct.pack('!I', v)


def control(tid, sid, ns, nr, avps):
    body = b''.join(avps)
    return struct.pack('!HHHHHH', T_L_S_V2, 12 + len(body), tid, sid, ns, nr) + body


def parse(pkt):
    flags, length, tid, sid, ns, nr = struct.unpack('!HHHHHH', pkt[:12])
    avps = {}
    pos = 12
    while pos + 6 <= length:
        fl, vendor, attr = struct.unpack('!HHH', pkt[pos:pos + 6])
        n = fl & 0x3ff
        if n < 6:
            raise ValueError('bad AVP length')
        avps.setdefault((vendor, attr), pkt[pos + 6:pos + n])
        pos += n
    mtype = struct.unpack('!H', avps[(0, 0)])[0] if (0, 0) in avps else None
    return dict(tid=tid, sid=sid, ns=ns, nr=nr, type=mtype, avps=avps)


def data(tid, sid, ppp):
    """A data message (T, L and S clear) carrying the PPP frame ppp."""
    return struct.pack('!HHH', 0x0002, tid, sid) + ppp


def is_control(pkt):
    return len(pkt) >= 12 and pkt[0] & 0x80


class Lac:
    def __init__(self, host, port, sock=None, tos=None):
        """tos: the IP TOS of everything it sends (sock shared with another Lac)."""
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((os.environ.get('LAC_SOURCE', '127.0.0.1'),
                       int(os.environ.get('LAC_PORT', '0'))))
            sock.settimeout(5)
        self.sock = sock
        self.tos = tos
        self.peer = (host, port)
        self.ns = 0
        self.nr = 0
        self.tid = 0  # the server's tunnel id

    def sendto(self, pkt):
        if self.tos is not None:
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, self.tos)
        self.sock.sendto(pkt, self.peer)

    def send(self, sid, avps):
        self.sendto(control(self.tid, sid, self.ns, self.nr, avps))
        self.ns = (self.ns + 1) & 0xffff

    def zlb(self):
        self.sendto(control(self.tid, 0, self.ns, self.nr, []))

    def expect(self, want):
        """Next non-ZLB control message; it must be of type want."""
        while True:
            pkt = self.sock.recv(4096)
            if not is_control(pkt):
                continue
            m = parse(pkt)
            if m['type'] is None:
                continue
            self.nr = (m['ns'] + 1) & 0xffff
            if m['type'] != want:
                raise SystemExit('expected message type %d, got %d (avps %r)'
                                 % (want, m['type'], m['avps']))
            return m


def sccrq(my_tid, extra=()):
    return [avp(0, u16(1)), avp(2, b'\x01\x00'), avp(7, b'bats-lac'),
            avp(3, u32(3)), avp(9, u16(my_tid)), avp(10, u16(4), mandatory=False)] + list(extra)


def establish(lac, my_tid, prefix=''):
    """A tunnel and a call; returns the server's session id."""
    lac.send(0, sccrq(my_tid))
    rp = lac.expect(2)
    lac.tid = struct.unpack('!H', rp['avps'][(0, 9)])[0]
    print('%stunnel=%d host=%s' % (prefix, lac.tid, rp['avps'][(0, 7)].decode()))
    lac.send(0, [avp(0, u16(3))])
    lac.send(0, [avp(0, u16(10)), avp(14, u16(77)), avp(15, u32(1))])
    icrp = lac.expect(11)
    sid = struct.unpack('!H', icrp['avps'][(0, 14)])[0]
    if icrp['sid'] != 77:
        raise SystemExit('ICRP addressed to session %d, not 77' % icrp['sid'])
    lac.send(sid, [avp(0, u16(12)), avp(24, u32(10000000)), avp(19, u32(2))])
    time.sleep(0.3)
    lac.zlb()
    print('%ssession=%d' % (prefix, sid), flush=True)
    return sid


def hold_tunnels(lacs, hold):
    """Keeps acknowledging (HELLO, CDN, StopCCN) for hold seconds; lacs
    maps our tunnel ids to the Lacs sharing one socket."""
    sock = next(iter(lacs.values())).sock
    deadline = time.time() + hold
    sock.settimeout(0.5)
    while time.time() < deadline:
        try:
            pkt = sock.recv(4096)
        except socket.timeout:
            continue
        if not is_control(pkt):
            continue
        m = parse(pkt)
        lac = lacs.get(m['tid'])
        if lac and m['type'] is not None:
            lac.nr = (m['ns'] + 1) & 0xffff
            print('received=%d' % m['type'], flush=True)
            lac.zlb()


def setup(lac, hold):
    establish(lac, 4242)
    hold_tunnels({4242: lac}, hold)


def nat_pair(host, port, hold):
    """Two clients behind one NAT: one address and port (one socket), each
    client's datagrams with its own TOS (0x20 a, 0x40 b), which the test's
    nftables turns into the mark of the client's IPsec SA, as decryption
    would. Each gets a tunnel and a call, then sends PPP frames: a its own
    ("from-a"), b its own ("from-b"), a one with b's tunnel and session ids
    ("a-as-b"), and b a last one ("b-last"), in that order."""
    a = Lac(host, port, tos=0x20)
    b = Lac(host, port, sock=a.sock, tos=0x40)
    a_sid = establish(a, 4242, 'a_')
    b_sid = establish(b, 4243, 'b_')
    a.sendto(data(a.tid, a_sid, b'\xff\x03from-a'))
    b.sendto(data(b.tid, b_sid, b'\xff\x03from-b'))
    a.sendto(data(b.tid, b_sid, b'\xff\x03a-as-b'))
    b.sendto(data(b.tid, b_sid, b'\xff\x03b-last'))
    print('data=sent', flush=True)
    hold_tunnels({4242: a, 4243: b}, hold)


def bad_avp(lac):
    lac.send(0, sccrq(4343, [avp(200, b'\x00', mandatory=True)]))
    m = lac.expect(4)
    rc = m['avps'][(0, 1)]
    print('result=%d error=%d' % struct.unpack('!HH', rc[:4]))


def garbage(lac, count):
    rnd = random.Random(2661)
    for i in range(count):
        kind = i % 4
        if kind == 0:
            pkt = os.urandom(rnd.randrange(0, 64))
        elif kind == 1:  # a real header with a lying Length
            pkt = struct.pack('!HHHHHH', T_L_S_V2, rnd.randrange(0, 2000), 0, 0, 0, 0)
        elif kind == 2:  # an SCCRQ with one AVP's length corrupted
            body = bytearray(control(0, 0, 0, 0, sccrq(rnd.randrange(1, 65535))))
            pos = 12 + 6 * rnd.randrange(0, 4)
            body[pos + 1] = rnd.randrange(0, 256)
            pkt = bytes(body)
        else:  # random AVPs after a Message Type
            avps = [avp(0, u16(rnd.randrange(0, 20)))]
            avps += [avp(rnd.randrange(0, 45), os.urandom(rnd.randrange(0, 20)),
                         mandatory=rnd.random() < 0.5) for _ in range(rnd.randrange(0, 6))]
            pkt = control(rnd.randrange(0, 3), rnd.randrange(0, 3), 0, 0, avps)
        lac.sock.sendto(pkt, lac.peer)
    print('sent=%d' % count)


def probe(lac):
    """One SCCRQ, then 2 s for any answer at all."""
    lac.send(0, sccrq(4444))
    lac.sock.settimeout(2)
    try:
        m = parse(lac.sock.recv(4096))
        print('reply=%s' % m['type'])
    except socket.timeout:
        print('reply=none')


def main():
    host, port, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    hold = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == '--hold' else 0
    if cmd == 'nat-pair':
        nat_pair(host, port, hold)
        return
    lac = Lac(host, port)
    if cmd == 'setup':
        setup(lac, hold)
    elif cmd == 'bad-avp':
        bad_avp(lac)
    elif cmd == 'probe':
        probe(lac)
    elif cmd == 'garbage':
        garbage(lac, int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main()
