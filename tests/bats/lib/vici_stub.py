#!/usr/bin/env python3
"""A stand-in for charon's VICI socket, so that the real swanctl parses a
file of ours without a charon: `swanctl --load-creds --file F --uri
unix://SOCKET` then sends what it read here.

  vici_stub.py SOCKET OUT

Answers every command with success=yes; for each load-shared request,
writes a line "TYPE HEX-OF-DATA" to OUT. Serves one connection, then exits.
Written from the VICI protocol description (strongSwan src/libcharon/
plugins/vici/README.md): each packet is a 32-bit big-endian length and a
payload; a request is type 0, a name, then elements.
"""
import os
import socket
import struct
import sys

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
SECTION_START, SECTION_END, KEY_VALUE, LIST_START, LIST_ITEM, LIST_END = range(1, 7)


def recv_exact(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def parse_elements(data):
    """The message's top-level key/values and lists as a dict of bytes/lists."""
    out, i, depth, lst = {}, 0, 0, None
    while i < len(data):
        t = data[i]
        i += 1
        if t in (SECTION_START, LIST_START):
            n = data[i]
            name = data[i + 1:i + 1 + n].decode()
            i += 1 + n
            if t == SECTION_START:
                depth += 1
            else:
                lst = out.setdefault(name, []) if depth == 0 else []
        elif t == SECTION_END:
            depth -= 1
        elif t == LIST_END:
            lst = None
        elif t == KEY_VALUE:
            n = data[i]
            name = data[i + 1:i + 1 + n].decode()
            i += 1 + n
            (vlen,) = struct.unpack('!H', data[i:i + 2])
            if depth == 0:
                out[name] = data[i + 2:i + 2 + vlen]
            i += 2 + vlen
        elif t == LIST_ITEM:
            (vlen,) = struct.unpack('!H', data[i:i + 2])
            if lst is not None:
                lst.append(data[i + 2:i + 2 + vlen])
            i += 2 + vlen
        else:
            raise ValueError('bad element type %d' % t)
    return out


def answer(conn, payload):
    conn.sendall(struct.pack('!I', len(payload)) + payload)


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(30)
    conn, _ = srv.accept()
    with open(out_path, 'w') as out:
        while True:
            head = recv_exact(conn, 4)
            if head is None:
                break
            (length,) = struct.unpack('!I', head)
            payload = recv_exact(conn, length)
            if payload is None or payload[0] != CMD_REQUEST:
                answer(conn, bytes([CMD_UNKNOWN]))
                continue
            n = payload[1]
            name = payload[2:2 + n].decode()
            msg = parse_elements(payload[2 + n:])
            if name == 'load-shared':
                out.write('%s %s\n' % (msg['type'].decode(), msg['data'].hex()))
                out.flush()
            key, value = b'success', b'yes'
            answer(conn, bytes([CMD_RESPONSE, KEY_VALUE, len(key)]) + key +
                   struct.pack('!H', len(value)) + value)
    conn.close()
    os.unlink(path)


if __name__ == '__main__':
    main()
