// Pure IP address / CIDR prefix arithmetic reproducing Go's net package
// (ParseCIDR, IP.String, IPNet.String) and the go-cidr helpers that Packer's
// cidrhost/cidrsubnet/cidrsubnets functions are built on, including their
// behaviour for negative numbers. Addresses are byte arrays of length 4 or 16.

export type IPBytes = Uint8Array;

export interface IPNet {
  ip: IPBytes;
  /** Mask bytes; null when Go would produce a nil mask (invalid prefix length). */
  mask: IPBytes | null;
}

/** A CIDR computation failed; the message is the one Packer reports. */
export class CidrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CidrError";
  }
}

const V4_IN_V6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Go's IP.To4: the 4-byte form of an IPv4 or IPv4-mapped address, else null. */
export function to4(ip: IPBytes): IPBytes | null {
  if (ip.length === 4) return ip;
  if (ip.length === 16 && V4_IN_V6_PREFIX.every((b, i) => ip[i] === b)) return ip.slice(12);
  return null;
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    if (p.length > 1 && p[0] === "0") return null; // leading zeros are rejected
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | null {
  const out: number[] = [];
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith("::")) {
    ellipsis = 0;
    i = 2;
    if (i === s.length) return new Array(16).fill(0);
  }
  while (out.length < 16) {
    // hex group (or trailing IPv4)
    let j = i;
    while (j < s.length && j - i < 5 && /[0-9a-fA-F]/.test(s[j] as string)) j++;
    if (j === i || j - i > 4) return null;
    if (j < s.length && s[j] === ".") {
      // embedded IPv4 must be last and fit
      if (ellipsis < 0 && out.length !== 12) return null;
      if (out.length + 4 > 16) return null;
      const v4 = parseIPv4(s.slice(i));
      if (v4 === null) return null;
      out.push(...v4);
      i = s.length;
      break;
    }
    const g = Number.parseInt(s.slice(i, j), 16);
    out.push(g >> 8, g & 0xff);
    i = j;
    if (i === s.length) break;
    if (s[i] !== ":") return null;
    i++;
    if (s[i] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = out.length;
      i++;
      if (i === s.length) break;
    } else if (i === s.length) {
      return null; // trailing single colon
    }
  }
  if (i !== s.length) return null;
  if (out.length < 16) {
    if (ellipsis < 0) return null;
    const fill = 16 - out.length;
    out.splice(ellipsis, 0, ...new Array(fill).fill(0));
  } else if (ellipsis >= 0 && out.length === 16 && s.includes("::")) {
    // "::" must stand for at least one group
    return null;
  }
  return out;
}

/** Go's CIDRMask: `ones` leading one bits out of `bits`; null when out of range. */
export function cidrMask(ones: number, bits: number): IPBytes | null {
  if ((bits !== 32 && bits !== 128) || ones < 0 || ones > bits) return null;
  const m = new Uint8Array(bits / 8);
  let n = ones;
  for (let i = 0; i < m.length; i++) {
    if (n >= 8) {
      m[i] = 0xff;
      n -= 8;
    } else {
      m[i] = (0xff << (8 - n)) & 0xff;
      n = 0;
    }
  }
  return m;
}

/** Go's IPMask.Size: [ones, bits], or [0, 0] for a non-canonical mask. */
export function maskSize(m: IPBytes): [number, number] {
  let ones = 0;
  let i = 0;
  for (; i < m.length && m[i] === 0xff; i++) ones += 8;
  if (i < m.length) {
    let b = m[i] as number;
    while (b & 0x80) {
      ones++;
      b = (b << 1) & 0xff;
    }
    if (b !== 0) return [0, 0];
    for (i++; i < m.length; i++) if (m[i] !== 0) return [0, 0];
  }
  return [ones, m.length * 8];
}

/** Go's IP.Mask. */
function applyMask(ip: IPBytes, mask: IPBytes | null): IPBytes | null {
  if (mask === null) return null;
  let m = mask;
  let p = ip;
  if (m.length === 16 && p.length === 4 && m.subarray(0, 12).every((b) => b === 0xff)) {
    m = m.subarray(12);
  }
  if (m.length === 4 && p.length === 16) {
    const v4 = to4(p);
    if (v4 !== null) p = v4;
  }
  if (p.length !== m.length) return null;
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = (p[i] as number) & (m[i] as number);
  return out;
}

/** Go's net.ParseCIDR, returning the network (address masked to the prefix). */
export function parseCIDR(s: string): IPNet {
  const fail = () => new CidrError(`invalid CIDR address: ${s}`);
  const slash = s.indexOf("/");
  if (slash < 0) throw fail();
  const addr = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  let ip: IPBytes;
  let bits: number;
  const v4 = parseIPv4(addr);
  if (v4 !== null) {
    ip = Uint8Array.from(v4);
    bits = 32;
  } else {
    const v6 = addr.includes(":") ? parseIPv6(addr) : null;
    if (v6 === null) throw fail();
    ip = Uint8Array.from(v6);
    bits = 128;
  }
  if (!/^[0-9]+$/.test(prefix) || prefix.length > 8) throw fail();
  const n = Number(prefix);
  if (n > bits) throw fail();
  const mask = cidrMask(n, bits) as IPBytes;
  return { ip: applyMask(ip, mask) as IPBytes, mask };
}

/** Go's IP.String. */
export function ipString(ip: IPBytes): string {
  if (ip.length === 0) return "<nil>";
  const v4 = to4(ip);
  if (v4 !== null) return Array.from(v4).join(".");
  if (ip.length !== 16) {
    return `?${Array.from(ip, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i] as number) << 8) | (ip[i + 1] as number));
  let e0 = -1;
  let e1 = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j > i && j - i > e1 - e0) {
      e0 = i;
      e1 = j;
      i = j;
    }
  }
  if (e1 - e0 <= 1) {
    e0 = -1;
    e1 = -1;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === e0) {
      out += "::";
      i = e1 - 1;
      continue;
    }
    if (i > 0 && i !== e1) out += ":";
    out += (groups[i] as number).toString(16);
  }
  return out;
}

/** Go's IPNet.String (note: the address is printed as stored, not re-masked). */
export function ipNetString(n: IPNet): string {
  let ip: IPBytes | null = to4(n.ip);
  if (ip === null) {
    ip = n.ip;
    if (ip.length !== 16) return "<nil>";
  }
  let m = n.mask;
  if (m === null) return "<nil>";
  if (m.length === 4) {
    if (ip.length !== 4) return "<nil>";
  } else if (m.length === 16) {
    if (ip.length === 4) m = m.subarray(12);
  } else {
    return "<nil>";
  }
  const [ones, bits] = maskSize(m);
  if (ones === 0 && bits === 0 && m.some((b) => b !== 0)) {
    return `${ipString(ip)}/${Array.from(m, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  return `${ipString(ip)}/${ones}`;
}

function ipToInt(ip: IPBytes): [bigint, number] {
  let v = 0n;
  for (const b of ip) v = (v << 8n) | BigInt(b);
  return [v, ip.length === 4 ? 32 : 128];
}

/** go-cidr's intToIP: packs the bytes of |v| into the end of a bits/8 array. */
function intToIP(v: bigint, bits: number): IPBytes {
  let a = v < 0n ? -v : v;
  const out = new Uint8Array(bits / 8);
  for (let i = out.length - 1; i >= 0 && a > 0n; i--) {
    out[i] = Number(a & 0xffn);
    a >>= 8n;
  }
  return out;
}

function insertNumIntoIP(ip: IPBytes, num: bigint, prefixLen: number): IPBytes {
  const [ipInt, totalBits] = ipToInt(ip);
  const shift = totalBits - prefixLen;
  const shifted = shift >= 0 ? num << BigInt(shift) : num >> BigInt(-shift);
  return intToIP(ipInt | shifted, totalBits);
}

/** big.Int.Uint64 of a value: the low 64 bits of its magnitude. */
function lowUint64(x: bigint): bigint {
  return BigInt.asUintN(64, x < 0n ? -x : x);
}

/** cidrhost: the host numbered `num` (negative counts back from the end). */
export function cidrHost(net: IPNet, num: bigint): IPBytes {
  const [parentLen, addrLen] = maskSize(net.mask as IPBytes);
  const hostLen = addrLen - parentLen;
  const maxHostNum = (1n << BigInt(hostLen)) - 1n;
  let bigNum = num;
  let numUint64 = BigInt.asIntN(64, lowUint64(num));
  if (num < 0n) {
    numUint64 = -num - 1n;
    bigNum = maxHostNum - numUint64;
  }
  if (numUint64 > maxHostNum) {
    throw new CidrError(`prefix of ${parentLen} does not accommodate a host numbered ${bigNum}`);
  }
  const bitlength = to4(net.ip) !== null ? 32 : 128;
  return insertNumIntoIP(net.ip, bigNum, bitlength);
}

/** cidrsubnet: extend the prefix by `newBits` and select subnet `num`. */
export function cidrSubnet(net: IPNet, newBits: number, num: bigint): IPNet {
  const [parentLen, addrLen] = maskSize(net.mask as IPBytes);
  const newPrefixLen = parentLen + newBits;
  if (newPrefixLen > addrLen) {
    throw new CidrError(
      `insufficient address space to extend prefix of ${parentLen} by ${newBits}`,
    );
  }
  // uint64(1<<uint64(newBits)) - 1, with Go's wrap-around for shifts >= 64
  const shiftCount = BigInt.asUintN(64, BigInt(newBits));
  const maxNetNum = BigInt.asUintN(64, (shiftCount >= 64n ? 0n : 1n << shiftCount) - 1n);
  if (lowUint64(num) > maxNetNum) {
    throw new CidrError(
      `prefix extension of ${newBits} does not accommodate a subnet numbered ${num}`,
    );
  }
  return { ip: insertNumIntoIP(net.ip, num, newPrefixLen), mask: cidrMask(newPrefixLen, addrLen) };
}

function addressRange(n: IPNet): [IPBytes, IPBytes] {
  const first = n.ip;
  const [prefixLen, bits] = maskSize(n.mask as IPBytes);
  if (prefixLen === bits) return [first, first.slice()];
  const [firstInt, totalBits] = ipToInt(first);
  const hostLen = BigInt(totalBits - prefixLen);
  const last = ((1n << hostLen) - 1n) | firstInt;
  return [first, intToIP(last, totalBits)];
}

function incIP(ip: IPBytes): IPBytes {
  const out = (to4(ip) ?? ip).slice();
  for (let j = out.length - 1; j >= 0; j--) {
    out[j] = ((out[j] as number) + 1) & 0xff;
    if (out[j] !== 0) break;
  }
  return out;
}

function decIP(ip: IPBytes): IPBytes {
  const out = (to4(ip) ?? ip).slice();
  for (let j = out.length - 1; j >= 0; j--) {
    out[j] = ((out[j] as number) - 1) & 0xff;
    if (out[j] !== 255) break;
  }
  return out;
}

function isZero(ip: IPBytes): boolean {
  return ip.every((b) => b === 0);
}

function previousSubnet(n: IPNet, prefixLen: number): IPNet {
  const prev = decIP(n.ip);
  const mask = cidrMask(prefixLen, prev.length * 8);
  return { ip: applyMask(prev, mask) ?? prev, mask };
}

function nextSubnet(n: IPNet, prefixLen: number): [IPNet, boolean] {
  const [, currentLast] = addressRange(n);
  const mask = cidrMask(prefixLen, currentLast.length * 8);
  const currentSubnet = { ip: applyMask(currentLast, mask) as IPBytes, mask };
  const [, last0] = addressRange(currentSubnet);
  const last = incIP(last0);
  return [{ ip: applyMask(last, mask) as IPBytes, mask }, isZero(last)];
}

function contains(n: IPNet, ip: IPBytes): boolean {
  const p = to4(ip) ?? ip;
  const m = n.mask as IPBytes;
  if (p.length !== n.ip.length || m.length !== p.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (((n.ip[i] as number) & (m[i] as number)) !== ((p[i] as number) & (m[i] as number))) {
      return false;
    }
  }
  return true;
}

/** A cidrsubnets failure attributable to one of the newbits arguments. */
export class CidrArgError extends CidrError {
  /** Zero-based index among the newbits arguments. */
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

/** cidrsubnets: consecutive subnets with the given prefix extensions. */
export function cidrSubnets(net: IPNet, newBits: readonly number[]): IPNet[] {
  if (newBits.length === 0) return [];
  const [startPrefixLen] = maskSize(net.mask as IPBytes);
  const totalBits = net.ip.length * 8;
  const out: IPNet[] = [];
  let current: IPNet | undefined;
  for (let i = 0; i < newBits.length; i++) {
    let length = newBits[i] as number;
    if (length < 1) throw new CidrArgError(i, "must extend prefix by at least one bit");
    if (length > 32) throw new CidrArgError(i, "may not extend prefix by more than 32 bits");
    length += startPrefixLen;
    if (length > totalBits) {
      const protocol = totalBits === 32 ? "IPv4" : totalBits === 128 ? "IPv6" : "IP";
      throw new CidrArgError(
        i,
        `would extend prefix to ${length} bits, which is too long for an ${protocol} address`,
      );
    }
    if (current === undefined) current = previousSubnet(net, length);
    const [next, rollover] = nextSubnet(current, length);
    if (rollover || !contains(net, next.ip)) {
      throw new CidrArgError(
        i,
        `not enough remaining address space for a subnet with a prefix of ${length} bits after ${ipNetString(current)}`,
      );
    }
    current = next;
    out.push(next);
  }
  return out;
}
