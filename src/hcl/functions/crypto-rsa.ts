// RSA PKCS #1 v1.5 decryption done with BigInt arithmetic (Node 20 refuses
// RSA_PKCS1_PADDING in crypto.privateDecrypt), plus Go-compatible PEM
// decoding for rsadecrypt.

import type { JsonWebKey } from "node:crypto";
import { goBase64Decode } from "./encoding-base64.js";
import { lazyModule } from "./lazy.js";

const nodeCrypto = lazyModule<typeof import("node:crypto")>("node:crypto");

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

/** Go's pem getLine: the first line (without trailing " \t\r") and the rest. */
function getLine(data: string): [string, string] {
  const i = data.indexOf("\n");
  const line = i < 0 ? data : data.slice(0, i);
  const rest = i < 0 ? "" : data.slice(i + 1);
  return [line.replace(/[ \t\r]+$/, ""), rest];
}

/**
 * Go's pem.Decode: the first well-formed PEM block in the input (malformed
 * candidates are skipped), or undefined if there is none.
 */
export function pemDecode(text: string): PemBlock | undefined {
  const pemStart = "\n-----BEGIN ";
  const pemEnd = "\n-----END ";
  let rest = text;
  for (;;) {
    if (rest.startsWith(pemStart.slice(1))) rest = rest.slice(pemStart.length - 1);
    else {
      const i = rest.indexOf(pemStart);
      if (i < 0) return undefined;
      rest = rest.slice(i + pemStart.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith("-----")) continue;
    typeLine = typeLine.slice(0, -5);
    const headers: Record<string, string> = {};
    for (;;) {
      if (rest.length === 0) return undefined;
      const [line, next] = getLine(rest);
      const colon = line.indexOf(":");
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      rest = next;
    }
    let endIndex: number;
    let endTrailerIndex: number;
    if (Object.keys(headers).length === 0 && rest.startsWith(pemEnd.slice(1))) {
      endIndex = 0;
      endTrailerIndex = pemEnd.length - 1;
    } else {
      endIndex = rest.indexOf(pemEnd);
      endTrailerIndex = endIndex + pemEnd.length;
    }
    if (endIndex < 0) continue;
    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = typeLine.length + 5;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(typeLine) || !endTrailer.endsWith("-----")) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;
    const bytes = goBase64Decode(rest.slice(0, endIndex).replace(/[ \t]/g, ""));
    if (bytes === undefined) continue;
    return { type: typeLine, headers, bytes };
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

/** Tag of the second element of a top-level DER SEQUENCE, or -1 if malformed. */
function secondElementTag(der: Uint8Array): number {
  let pos = 0;
  const readHeader = (): [number, number] | undefined => {
    if (pos + 2 > der.length) return undefined;
    const tag = der[pos++] as number;
    let len = der[pos++] as number;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || pos + n > der.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (der[pos++] as number);
    }
    return [tag, len];
  };
  const top = readHeader();
  if (top === undefined || top[0] !== 0x30) return -1;
  const first = readHeader();
  if (first === undefined || first[0] !== 0x02) return -1;
  pos += first[1];
  const second = readHeader();
  return second === undefined ? -1 : second[0];
}

/** Go's x509.ParsePKCS1PrivateKey (messages approximate Go's for other formats). */
export function parsePkcs1PrivateKey(der: Uint8Array): RsaPrivateKey {
  const tag = secondElementTag(der);
  if (tag === 0x30) {
    throw new RsaError(
      "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
    );
  }
  if (tag === 0x04) {
    throw new RsaError(
      "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
    );
  }
  let jwk: JsonWebKey;
  try {
    if (tag !== 0x02) throw new Error("not PKCS #1");
    const key = nodeCrypto().createPrivateKey({
      key: Buffer.from(der),
      format: "der",
      type: "pkcs1",
    });
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    jwk = key.export({ format: "jwk" });
  } catch {
    throw new RsaError("asn1: structure error: not a valid PKCS #1 RSA private key");
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
