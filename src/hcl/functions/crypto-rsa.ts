// RSA PKCS #1 v1.5 decryption done with BigInt arithmetic (Node 20 refuses
// RSA_PKCS1_PADDING in crypto.privateDecrypt), plus Go-compatible PEM and
// base64 decoding for rsadecrypt.

import { createPrivateKey, type JsonWebKey } from "node:crypto";

/** A decryption step failed; the message is the one Packer reports. */
export class RsaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RsaError";
  }
}

export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

const B64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Go's base64.StdEncoding.DecodeString: strict padding, but carriage returns
 * and newlines anywhere are ignored. Returns undefined when malformed.
 */
export function goBase64Decode(s: string): Uint8Array | undefined {
  const t = s.replace(/[\r\n]/g, "");
  if (t.length % 4 !== 0 || !B64_CHARS.test(t)) return undefined;
  const buf = Buffer.from(t, "base64");
  // Reject non-canonical trailing bits, as Go's strict decoder does not; Go
  // accepts them, so only the structure is checked here.
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Go's pem.Decode: the first well-formed PEM block in the input (malformed
 * candidates are skipped), or undefined if there is none.
 */
export function pemDecode(text: string): PemBlock | undefined {
  let rest = text;
  for (;;) {
    let start: number;
    if (rest.startsWith("-----BEGIN ")) start = 0;
    else {
      const i = rest.indexOf("\n-----BEGIN ");
      if (i < 0) return undefined;
      start = i + 1;
    }
    rest = rest.slice(start + "-----BEGIN ".length);
    const eol = rest.indexOf("\n");
    const typeLine = (eol < 0 ? rest : rest.slice(0, eol)).replace(/[ \t\r]+$/, "");
    if (eol < 0 || !typeLine.endsWith("-----")) continue;
    const type = typeLine.slice(0, -5);
    let body = rest.slice(eol + 1);
    const headers: Record<string, string> = {};
    for (;;) {
      const nl = body.indexOf("\n");
      if (nl < 0) break;
      const line = body.slice(0, nl).replace(/[ \t\r]+$/, "");
      const colon = line.indexOf(":");
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      body = body.slice(nl + 1);
    }
    const endMarker = `-----END ${type}-----`;
    let endIdx: number;
    if (Object.keys(headers).length === 0 && body.startsWith(endMarker.slice(1))) {
      endIdx = 0;
    } else {
      endIdx = body.indexOf(`\n${endMarker}`);
      if (endIdx >= 0) endIdx += 1;
    }
    if (endIdx < 0) continue;
    const b64 = body.slice(0, endIdx).replace(/[ \t\r\n]/g, "");
    const after = body.slice(endIdx + endMarker.length);
    const afterLine = after.split("\n", 1)[0] as string;
    if (afterLine.replace(/[ \t\r]/g, "") !== "") continue;
    const bytes = goBase64Decode(b64);
    if (bytes === undefined) continue;
    return { type, headers, bytes };
  }
}

function b64urlToBigInt(s: string | undefined): bigint {
  if (s === undefined) throw new RsaError("x509: failed to parse private key");
  const hex = Buffer.from(s, "base64url").toString("hex");
  return hex === "" ? 0n : BigInt(`0x${hex}`);
}

export interface RsaPrivateKey {
  n: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
  /** Modulus size in bytes. */
  size: number;
}

/** Go's x509.ParsePKCS1PrivateKey (messages approximate Go's for other formats). */
export function parsePkcs1PrivateKey(der: Uint8Array): RsaPrivateKey {
  let jwk: JsonWebKey;
  try {
    const key = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs1" });
    jwk = key.export({ format: "jwk" });
  } catch {
    const tryType = (type: "pkcs8" | "sec1"): boolean => {
      try {
        createPrivateKey({ key: Buffer.from(der), format: "der", type });
        return true;
      } catch {
        return false;
      }
    };
    if (tryType("pkcs8")) {
      throw new RsaError(
        "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
      );
    }
    if (tryType("sec1")) {
      throw new RsaError(
        "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
      );
    }
    throw new RsaError("asn1: structure error: not a PKCS #1 RSA private key");
  }
  const n = b64urlToBigInt(jwk.n);
  return {
    n,
    d: b64urlToBigInt(jwk.d),
    p: b64urlToBigInt(jwk.p),
    q: b64urlToBigInt(jwk.q),
    dp: b64urlToBigInt(jwk.dp),
    dq: b64urlToBigInt(jwk.dq),
    qi: b64urlToBigInt(jwk.qi),
    size: Math.ceil(n.toString(16).length / 2),
  };
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(b).toString("hex")}`);
}

function bigIntToBytes(x: bigint, len: number): Uint8Array {
  const hex = x.toString(16).padStart(len * 2, "0");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

const DECRYPTION_ERROR = "crypto/rsa: decryption error";

/** Go's rsa.DecryptPKCS1v15. */
export function decryptPkcs1v15(key: RsaPrivateKey, ciphertext: Uint8Array): Uint8Array {
  const k = key.size;
  if (k < 11 || ciphertext.length > k) throw new RsaError(DECRYPTION_ERROR);
  const c = bytesToBigInt(ciphertext);
  if (c >= key.n) throw new RsaError(DECRYPTION_ERROR);
  // Chinese remainder theorem.
  const m1 = modPow(c, key.dp, key.p);
  const m2 = modPow(c, key.dq, key.q);
  let h = (key.qi * (m1 - m2)) % key.p;
  if (h < 0n) h += key.p;
  const m = m2 + h * key.q;
  const em = bigIntToBytes(m, k);
  if (em[0] !== 0 || em[1] !== 2) throw new RsaError(DECRYPTION_ERROR);
  let sep = -1;
  for (let i = 2; i < em.length; i++) {
    if (em[i] === 0) {
      sep = i;
      break;
    }
  }
  if (sep < 10) throw new RsaError(DECRYPTION_ERROR);
  return em.slice(sep + 1);
}
