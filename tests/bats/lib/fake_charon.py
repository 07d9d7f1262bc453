#!/usr/bin/env python3
"""Stands in for our charon plugin in the host's bats tests (the host has no
ESP to run charon on; tests/vm runs the real one). Connects to l2tpsrv's
charon socket and sends each line of stdin as one record, as the plugin does
(see l2tpsrv/charon_proto.h); at the end of stdin it closes the connection,
which to l2tpsrv is charon going away.

  fake_charon.py SOCKET < lines
"""
import socket
import sys
import time


def main():
    path = sys.argv[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    for _ in range(50):
        try:
            s.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.1)
    else:
        raise SystemExit('cannot connect to ' + path)
    print('connected', flush=True)
    for line in sys.stdin:
        line = line.rstrip('\n')
        if line:
            s.send(line.encode())
            print('sent ' + line.split(' ', 1)[0], flush=True)
    s.close()


if __name__ == '__main__':
    main()
