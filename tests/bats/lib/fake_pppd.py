#!/usr/bin/env python3
"""Stands in for pppd in the bats tests: bind-mounted over /usr/sbin/pppd in
the daemon's own mount namespace, so l2tpsrv starts it for each call with
its real command line.

With "l2tpsrv-radius" on that line, it asks l2tpsrv to authenticate a PAP
peer, as our pppd plugin does (CTL_AUTH, ctl_proto.h), written from the
header independently of the plugin's code. Its files sit beside the
control socket (l2tpsrv-socket):

  fake-pppd.creds     "USER PASSWORD [GIVE_UP_AFTER_SECONDS]", read per call
  fake-pppd.out       appended: argv=..., then status=N and, when status is
                      0, result=N framed_ip=A session_timeout=N message=...
                      (or gave_up after GIVE_UP_AFTER_SECONDS)
  fake-pppd.events    optional, read per call: what the call's PPP does next,
                      one line each, reported as our plugin does
                      (CTL_PPP_EVENT) from this very process:
                        auth USER                 the peer authenticated
                        up                        IPCP is up (interface fake0)
                        down BIN BOUT PIN POUT S  the link is down: counters, status
                        exit STATUS               pppd exits with STATUS
  fake-pppd.tty       when it exists, and the call has a tty (the userspace
                      data path): it speaks on the tty as pppd would (one
                      LCP frame, so that frames for it stop waiting) and
                      appends what it reads from it, raw, to
                      fake-pppd-tty.TUNNEL

Then it waits for SIGTERM, as pppd with nodetach does, or for l2tpsrv to go.
"""
import ctypes
import os
import select
import signal
import socket
import struct
import sys
import time
import tty

CTL_MAGIC = 0x6C327470
CTL_VERSION = 7
CTL_PPP_EVENT = 6
CTL_AUTH = 8
CTL_AUTH_PAP = 1
CTL_PPP_AUTH_UP, CTL_PPP_IP_UP, CTL_PPP_DOWN = 1, 2, 3
REQUEST = struct.Struct('<IHHHHII')                # struct ctl_request
AUTH_REQUEST = struct.Struct('<IBBBB256s256s64s64s')  # struct ctl_auth_request
REPLY = struct.Struct('<IiIIQQQQII')               # struct ctl_reply
AUTH_REPLY = struct.Struct('<8I256s')              # struct ctl_auth_reply
PPP_EVENT = struct.Struct('<Ii64s16s16sII64sQQQQII')  # struct ctl_ppp_event


def option(argv, name):
    return argv[argv.index(name) + 1]


def recv_exactly(s, n):
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def authenticate(path, tunnel, session, user, password, give_up, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    if give_up:
        s.settimeout(give_up)
    s.sendall(REQUEST.pack(CTL_MAGIC, CTL_VERSION, CTL_AUTH, tunnel, session, 0, 0) +
              AUTH_REQUEST.pack(CTL_AUTH_PAP, 0, 0, 0, 0, user.encode(), password.encode(),
                                b'', b''))
    try:
        head = recv_exactly(s, REPLY.size)
        magic, status = REPLY.unpack(head)[:2]
        print('status=%d' % status, file=out, flush=True)
        if status == 0:
            r = AUTH_REPLY.unpack(recv_exactly(s, AUTH_REPLY.size))
            print('result=%d framed_ip=%s session_timeout=%d message=%s' %
                  (r[0], socket.inet_ntoa(struct.pack('=I', r[1])), r[2],
                   r[8].split(b'\0')[0].decode(errors='replace')), file=out, flush=True)
    except socket.timeout:
        print('gave_up', file=out, flush=True)
    s.close()


def report(path, tunnel, session, kind, user=b'', ifname=b'', counters=(0, 0, 0, 0), status=0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(REQUEST.pack(CTL_MAGIC, CTL_VERSION, CTL_PPP_EVENT, tunnel, session, 0, 0) +
              PPP_EVENT.pack(kind, status, user, b'pap', ifname, 0x0100000a, 0x0200000a,
                             b'fake', *counters, 0, 0))
    REPLY.unpack(recv_exactly(s, REPLY.size))
    s.close()


def run_events(path, tunnel, session, events):
    for line in events:
        words = line.split()
        if not words:
            continue
        if words[0] == 'auth':
            report(path, tunnel, session, CTL_PPP_AUTH_UP, user=words[1].encode())
        elif words[0] == 'up':
            report(path, tunnel, session, CTL_PPP_IP_UP, ifname=b'fake0')
        elif words[0] == 'down':
            report(path, tunnel, session, CTL_PPP_DOWN,
                   counters=tuple(int(w) for w in words[1:5]), status=int(words[5]))
        elif words[0] == 'exit':
            sys.exit(int(words[1]))


def hdlc_frame(ppp):
    """ppp in async HDLC framing (RFC 1662): FCS-16, every control
    character escaped, between flags."""
    fcs = 0xffff
    for byte in ppp:
        fcs ^= byte
        for _ in range(8):
            fcs = (fcs >> 1) ^ 0x8408 if fcs & 1 else fcs >> 1
    fcs ^= 0xffff
    out = bytearray(b'\x7e')
    for byte in ppp + struct.pack('<H', fcs):
        if byte < 0x20 or byte in (0x7d, 0x7e):
            out += bytes((0x7d, byte ^ 0x20))
        else:
            out.append(byte)
    return bytes(out + b'\x7e')


def speak_on_tty(path, out_path):
    """Sends an LCP Echo-Request on the tty, then copies what comes to out_path."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    os.write(fd, hdlc_frame(b'\xff\x03\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00'))
    with open(out_path, 'ab') as out:
        while True:
            select.select([fd], [], [])
            out.write(os.read(fd, 4096))
            out.flush()


def main():
    # ends with the daemon, even one killed (PR_SET_PDEATHSIG)
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    argv = sys.argv[1:]
    path = option(argv, 'l2tpsrv-socket')
    work = os.path.dirname(path)
    with open(os.path.join(work, 'fake-pppd.out'), 'a') as out:
        print('argv=' + ' '.join(argv), file=out, flush=True)
        if 'l2tpsrv-radius' in argv:
            words = open(os.path.join(work, 'fake-pppd.creds')).read().split()
            give_up = float(words[2]) if len(words) > 2 else 0
            authenticate(path, int(option(argv, 'l2tpsrv-tunnel')),
                         int(option(argv, 'l2tpsrv-session')), words[0], words[1], give_up, out)
    events = os.path.join(work, 'fake-pppd.events')
    if os.path.exists(events):
        run_events(path, int(option(argv, 'l2tpsrv-tunnel')), int(option(argv, 'l2tpsrv-session')),
                   open(events).read().splitlines())
    if os.path.exists(os.path.join(work, 'fake-pppd.tty')) and argv[0].startswith('/dev/'):
        speak_on_tty(argv[0], os.path.join(work, 'fake-pppd-tty.' +
                                           option(argv, 'l2tpsrv-tunnel')))
    while True:
        time.sleep(60)


if __name__ == '__main__':
    main()
