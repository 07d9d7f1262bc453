#!/usr/bin/env python3
"""Hidden AVP test vectors for l2tpsrv/avp_test.c (RFC 2661 section 4.3).

Written from the RFC's description alone, independently of l2tpsrv/avp.c:
the hidden value is the 2-octet original length, the value and any padding,
split into 16-octet blocks; block 1 is XORed with
MD5(attribute type (2 octets) || secret || random vector), block i with
MD5(secret || hidden block i-1); the last block may be partial.

Run it and paste its output into avp_test.c:  python3 tests/vectors/hidden_avp.py
"""
import hashlib
import struct


def hide(attr_type, secret, random_vector, value, padding=b""):
    plain = struct.pack("!H", len(value)) + value + padding
    out = b""
    digest = hashlib.md5(struct.pack("!H", attr_type) + secret + random_vector).digest()
    for i in range(0, len(plain), 16):
        block = bytes(p ^ d for p, d in zip(plain[i:i + 16], digest))
        out += block
        digest = hashlib.md5(secret + block).digest()
    return out


RV16 = bytes(range(16))
RV16_HIGH = bytes(range(0xF0, 0x100))
RV7 = bytes(range(1, 8))

CASES = [
    # name, attribute type, secret, random vector, value, padding
    ("short", 9, b"secret", RV16, b"\x00\x2a", b""),
    ("one_block", 8, b"a much longer shared secret!", RV7, b"l2tpsrv-vendor", b""),
    ("three_blocks", 22, b"k", RV16_HIGH, b"0123456789" * 4, b""),
    ("accm_rv7", 35, b"secret", RV7, bytes.fromhex("0000ffffffff0000000a"), b""),
    ("padded", 14, b"secret", RV16, b"\x01\x02", b"\xaa" * 4),
]


def c_array(data):
    hexes = ["0x%02x" % b for b in data]
    lines = []
    for i in range(0, len(hexes), 12):
        lines.append("\t" + ", ".join(hexes[i:i + 12]) + ",")
    return "\n".join(lines)


def main():
    for name, attr_type, secret, rv, value, padding in CASES:
        hidden = hide(attr_type, secret, rv, value, padding)
        print("/* %s: type %d, secret %d octets, random vector %d octets, value %d octets%s */"
              % (name, attr_type, len(secret), len(rv), len(value),
                 ", %d octets of padding" % len(padding) if padding else ""))
        print("static const uint8_t hidden_%s[%d] = {" % (name, len(hidden)))
        print(c_array(hidden))
        print("};")


if __name__ == "__main__":
    main()
