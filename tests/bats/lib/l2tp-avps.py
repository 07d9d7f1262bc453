#!/usr/bin/env python3
"""Lists the AVPs of L2TP control messages, revealing hidden ones.

Reads tshark's "-T fields -e frame.number -e udp.srcport -e udp.payload"
lines on stdin and prints one line per AVP:

  frame=2 src=1701 msg=2 type=9 hidden=1 value=fd4c

Hidden values (RFC 2661 section 4.3) are revealed with SECRET and the
Random Vector that precedes them in the same message. Written from the RFC
alone, independently of l2tpsrv's codec, so that a bug shared by our
encoder and decoder cannot hide. Also checks each Challenge Response
against the peer's last Challenge (sections 4.4.3 and 5.1.1: MD5 of the
message type as one octet, the secret and the challenge):

  frame=2 src=1701 msg=2 response=ok

A value that cannot be revealed or decoded, or whose size is not the one
RFC 2661 section 4.4 gives its attribute, makes an error= line instead:

  frame=2 src=1701 error="Assigned Tunnel ID (9): 3 octets, not 2"

Exits 1 if any line says error=.

  l2tp-avps.py [SECRET]
"""
import hashlib
import struct
import sys

# RFC 2661 section 4.4: attributes of one fixed value size, in octets.
FIXED_SIZE = {
    0: ("Message Type", 2), 2: ("Protocol Version", 2),
    3: ("Framing Capabilities", 4), 4: ("Bearer Capabilities", 4),
    5: ("Tie Breaker", 8), 6: ("Firmware Revision", 2),
    9: ("Assigned Tunnel ID", 2), 10: ("Receive Window Size", 2),
    13: ("Challenge Response", 16), 14: ("Assigned Session ID", 2),
    15: ("Call Serial Number", 4), 16: ("Minimum BPS", 4), 17: ("Maximum BPS", 4),
    18: ("Bearer Type", 4), 19: ("Framing Type", 4), 24: ("(Tx) Connect Speed", 4),
    25: ("Physical Channel ID", 4), 34: ("Call Errors", 26), 35: ("ACCM", 10),
    38: ("Rx Connect Speed", 4), 39: ("Sequencing Required", 0),
}


def check_size(attr, value):
    if attr in FIXED_SIZE and len(value) != FIXED_SIZE[attr][1]:
        name, size = FIXED_SIZE[attr]
        raise ValueError("%s (%d): %d octets, not %d" % (name, attr, len(value), size))
    # Result Code: the code, then optionally an error code and a message.
    if attr == 1 and (len(value) < 2 or len(value) == 3):
        raise ValueError("Result Code (1): %d octets" % len(value))


def unhide(attr_type, secret, vector, hidden):
    plain = b""
    digest = hashlib.md5(struct.pack("!H", attr_type) + secret + vector).digest()
    for i in range(0, len(hidden), 16):
        block = hidden[i:i + 16]
        plain += bytes(c ^ d for c, d in zip(block, digest))
        digest = hashlib.md5(secret + block).digest()
    if len(plain) < 2:
        raise ValueError("hidden value shorter than its length field")
    (length,) = struct.unpack("!H", plain[:2])
    if length > len(plain) - 2:
        raise ValueError("hidden length %d exceeds the %d octets there" % (length, len(plain) - 2))
    return plain[2:2 + length]


def control_avps(payload):
    """The AVP area of a control message, or None for data messages."""
    (flags,) = struct.unpack("!H", payload[:2])
    if not flags & 0x8000:
        return None
    if flags & 0x4800 != 0x4800:
        raise ValueError("control message without L and S bits: flags %04x" % flags)
    (length,) = struct.unpack("!H", payload[2:4])
    if length > len(payload) or length < 12:
        raise ValueError("bad L2TP length %d (datagram %d)" % (length, len(payload)))
    return payload[12:length]


def walk(data):
    pos = 0
    while pos < len(data):
        if len(data) - pos < 6:
            raise ValueError("%d stray octets after the last AVP" % (len(data) - pos))
        bits, vendor, attr = struct.unpack("!HHH", data[pos:pos + 6])
        n = bits & 0x03FF
        if n < 6 or n > len(data) - pos:
            raise ValueError("bad AVP length %d at offset %d" % (n, pos))
        yield bool(bits & 0x4000), vendor, attr, data[pos + 6:pos + n]
        pos += n


def main():
    secret = sys.argv[1].encode() if len(sys.argv) > 1 else b""
    last_challenge = {}  # source port -> the last Challenge it sent
    ok = True
    for line in sys.stdin:
        fields = line.split()
        if len(fields) != 3:
            continue
        frame, src, payload = int(fields[0]), int(fields[1]), bytes.fromhex(fields[2])
        where = "frame=%d src=%d" % (frame, src)
        try:
            avps = control_avps(payload)
            if avps is None:
                continue
            msg, vector, response = None, None, None
            for hidden, vendor, attr, value in walk(avps):
                if hidden:
                    if vector is None:
                        raise ValueError("hidden AVP %d without a Random Vector before it" % attr)
                    value = unhide(attr, secret, vector, value)
                if vendor == 0:
                    check_size(attr, value)
                if vendor == 0 and attr == 0:
                    (msg,) = struct.unpack("!H", value)
                elif vendor == 0 and attr == 36:
                    vector = value
                elif vendor == 0 and attr == 11:
                    last_challenge[src] = value
                elif vendor == 0 and attr == 13:
                    response = value
                print("%s msg=%s type=%s%d hidden=%d value=%s"
                      % (where, msg, "%d:" % vendor if vendor else "", attr, hidden, value.hex()))
            if response is not None:
                challenge = next((c for s, c in last_challenge.items() if s != src), None)
                if challenge is None:
                    raise ValueError("Challenge Response without a Challenge from the peer")
                want = hashlib.md5(bytes([msg]) + secret + challenge).digest()
                print("%s msg=%d response=%s" % (where, msg, "ok" if response == want else "bad"))
        except (ValueError, struct.error) as e:
            print('%s error="%s"' % (where, e))
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
