import { BlockList, isIP } from 'node:net';

/** IPv4 ranges a server must not reach on a client's behalf: this host, private networks, link-local, shared, reserved. */
const V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  V4.addSubnet(net, bits, 'ipv4');

/**
 * IPv6 ranges refused whole: unspecified, loopback and IPv4-compatible (::/96), discard, Teredo (its IPv4 is
 * obfuscated), documentation, local NAT64, unique-local, link- and site-local, multicast.
 */
const V6 = new BlockList();
for (const [net, bits] of [
  ['::', 96],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  V6.addSubnet(net, bits, 'ipv6');

/** IPv6 forms that carry an IPv4 address, and where it sits (byte offset): the IPv4 inside decides. */
const EMBEDDING: { prefix: number[]; at: number }[] = [
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], at: 12 }, // ::ffff:a.b.c.d (mapped)
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], at: 12 }, // ::ffff:0:a.b.c.d (SIIT translated)
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], at: 12 }, // 64:ff9b::a.b.c.d (NAT64)
  { prefix: [0x20, 0x02], at: 2 }, // 2002:aabb:ccdd::/48 (6to4)
];

/** The 16 bytes of an IPv6 address (any valid spelling, a trailing dotted quad included). */
export function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) =>
    s
      ? s
          .split(':')
          .filter(Boolean)
          .map((g) => parseInt(g, 16))
      : [];
  const left = groups(head);
  const right = groups(tail);
  const words = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** True when an IP literal is loopback, private, link-local or otherwise not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return V4.check(address, 'ipv4');
  if (family !== 6) return true;
  if (V6.check(address, 'ipv6')) return true;
  const bytes = ipv6Bytes(address);
  for (const { prefix, at } of EMBEDDING) {
    if (prefix.every((b, i) => bytes[i] === b)) return V4.check(bytes.slice(at, at + 4).join('.'), 'ipv4');
  }
  return false;
}
