#!/usr/bin/env python3
"""Writes the named test packets tests/corpus/pkt/NAME.hex used by the .run files.

The .hex files are committed; this script documents how each was made and re-creates them
byte for byte (tests/corpus_kernel/test_run.sh checks that). Addresses are documentation
values only: these bytes are fed to BPF_PROG_TEST_RUN and never sent anywhere."""
import os
import struct
import sys

DST = bytes.fromhex("020000000002")
SRC = bytes.fromhex("020000000001")
IP_A = bytes([192, 0, 2, 1])    # TEST-NET-1
IP_B = bytes([192, 0, 2, 2])
IP6_A = bytes.fromhex("20010db8000000000000000000000001")
IP6_B = bytes.fromhex("20010db8000000000000000000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(proto, dst=DST, src=SRC):
    return dst + src + struct.pack("!H", proto)


def ipv4(proto, payload, ttl=64, tos=0x10, bad_csum=False):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 1, 0x4000, ttl, proto, 0, IP_A, IP_B)
    c = csum(h) ^ (0x1111 if bad_csum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def l4_csum(proto, src, dst, seg):
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), proto)
    return csum(pseudo + seg)


def tcp(sport, dport, payload, src=IP_A, dst=IP_B):
    h = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    seg = h + payload
    c = l4_csum(6, src, dst, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(sport, dport, payload, src=IP_A, dst=IP_B):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_csum(17, src, dst, seg)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def ipv6(nh, payload, hop=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hop) + IP6_A + IP6_B + payload


def icmp_echo(payload):
    h = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


PAY = b"corpus payload.."  # 16 bytes

PACKETS = {
    "ipv4-tcp": ("IPv4/TCP SYN 40000 -> 80, 16-byte payload",
                 eth(0x0800) + ipv4(6, tcp(40000, 80, PAY))),
    "ipv4-tcp-telnet": ("IPv4/TCP SYN 40000 -> 23",
                        eth(0x0800) + ipv4(6, tcp(40000, 23, PAY))),
    "ipv4-udp": ("IPv4/UDP 5000 -> 53, 16-byte payload",
                 eth(0x0800) + ipv4(17, udp(5000, 53, PAY))),
    "ipv4-udp-1000": ("IPv4/UDP 5000 -> 9000, 1000-byte frame",
                      eth(0x0800) + ipv4(17, udp(5000, 9000, bytes(i & 0xFF for i in range(1000 - 42))))),
    "ipv4-udp-1500": ("IPv4/UDP 5000 -> 9000, 1500-byte frame (the benchmarks' input)",
                      eth(0x0800) + ipv4(17, udp(5000, 9000, bytes((i * 7 + 3) & 0xFF for i in range(1500 - 42))))),
    "ipv4-icmp-echo": ("IPv4 ICMP echo request id 0x1234 seq 1",
                       eth(0x0800) + ipv4(1, icmp_echo(PAY))),
    "ipv4-badcsum": ("IPv4/TCP with a wrong IPv4 header checksum",
                     eth(0x0800) + ipv4(6, tcp(40000, 80, PAY), bad_csum=True)),
    "ipv4-ttl1": ("IPv4/UDP with TTL 1",
                  eth(0x0800) + ipv4(17, udp(5000, 53, PAY), ttl=1)),
    "ipv6-tcp": ("IPv6/TCP SYN 40000 -> 443",
                 eth(0x86DD) + ipv6(6, tcp(40000, 443, PAY, IP6_A, IP6_B))),
    "ipv6-udp": ("IPv6/UDP 5000 -> 53",
                 eth(0x86DD) + ipv6(17, udp(5000, 53, PAY, IP6_A, IP6_B))),
    "arp": ("ARP request who-has 192.0.2.2 tell 192.0.2.1 (padded to 60 bytes)",
            eth(0x0806, dst=b"\xff" * 6) + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, SRC, IP_A, b"\0" * 6, IP_B)
            + bytes(18)),
    "vlan-ipv4-udp": ("802.1Q VLAN 100, IPv4/UDP 5000 -> 53",
                      eth(0x8100) + struct.pack("!HH", 100, 0x0800) + ipv4(17, udp(5000, 53, PAY))),
    "qinq-ipv4-udp": ("802.1ad outer VLAN 10, 802.1Q inner VLAN 20, IPv4/UDP",
                      eth(0x88A8) + struct.pack("!HHHH", 10, 0x8100, 20, 0x0800) + ipv4(17, udp(5000, 53, PAY))),
    "encap-ipv4-udp": ("outer Ethernet with EtherType 0x88b5 around an IPv4/UDP frame",
                       eth(0x88B5) + eth(0x0800) + ipv4(17, udp(5000, 53, PAY))),
    "lldp": ("60-byte frame with EtherType 0x88cc and a zero body",
             eth(0x88CC, dst=bytes.fromhex("0180c200000e")) + bytes(46)),
    "zeros-64": ("64 zero bytes", bytes(64)),
}


def main():
    out = os.path.dirname(os.path.abspath(__file__)) if len(sys.argv) < 2 else sys.argv[1]
    for name, (what, data) in PACKETS.items():
        with open(os.path.join(out, name + ".hex"), "w") as f:
            f.write("# %s (%d bytes); written by gen.py\n" % (what, len(data)))
            for i in range(0, len(data), 16):
                f.write(data[i:i + 16].hex(" ") + "\n")


if __name__ == "__main__":
    main()
