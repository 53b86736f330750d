// Cryptographic functions: bcrypt, md5, sha1, sha256, sha512, rsadecrypt,
// uuidv4, uuidv5.

import { FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { GO_INT_RANGE_MESSAGE, goInt64 } from "./conversion-int.js";
import { decryptPkcs1v15, parsePkcs1PrivateKey, pemDecode, RsaError } from "./crypto-rsa.js";
import { goBase64Decode } from "./encoding-base64.js";
import { lazyModule } from "./lazy.js";

const nodeCrypto = lazyModule<typeof import("node:crypto")>("node:crypto");
// The CommonJS build of bcryptjs, which require() picks; same code as its ES module.
const bcryptjs = lazyModule<typeof import("bcryptjs")>("bcryptjs");

function hashFunction(name: string, algorithm: string): FunctionImpl {
  return new FunctionImpl({
    description: `Computes the ${name} hash of a string, as hexadecimal digits.`,
    params: [{ name: "str", type: Type.string }],
    type: staticReturnType(Type.string),
    impl: (args) =>
      Value.string(
        nodeCrypto()
          .createHash(algorithm)
          .update((args[0] as Value).asString(), "utf8")
          .digest("hex"),
      ),
  });
}

const BCRYPT_MIN_COST = 4;
const BCRYPT_MAX_COST = 31;
const BCRYPT_DEFAULT_COST = 10;

const bcrypt = new FunctionImpl({
  description: "Computes a bcrypt hash of a string (Modular Crypt Format, $2a$).",
  params: [{ name: "str", type: Type.string }],
  varParam: { name: "cost", type: Type.number },
  type: staticReturnType(Type.string),
  impl: (args) => {
    let cost = BigInt(BCRYPT_DEFAULT_COST);
    if (args.length > 1) {
      const c = goInt64(args[1] as Value);
      if (c === undefined) throw new FunctionError(GO_INT_RANGE_MESSAGE);
      cost = c;
    }
    if (args.length > 2) throw new FunctionError("bcrypt() takes no more than two arguments");
    const input = (args[0] as Value).asString();
    const fail = (why: string) => new FunctionError(`error occured generating password ${why}`);
    if (Buffer.byteLength(input, "utf8") > 72) {
      throw fail("bcrypt: password length exceeds 72 bytes");
    }
    if (cost < BigInt(BCRYPT_MIN_COST)) cost = BigInt(BCRYPT_DEFAULT_COST);
    if (cost > BigInt(BCRYPT_MAX_COST)) {
      throw fail(
        `crypto/bcrypt: cost ${cost} is outside allowed range (${BCRYPT_MIN_COST},${BCRYPT_MAX_COST})`,
      );
    }
    // Go's bcrypt writes the "$2a$" variant; the algorithm is identical.
    const salt = bcryptjs()
      .genSaltSync(Number(cost))
      .replace(/^\$2[aby]\$/, "$2a$");
    return Value.string(bcryptjs().hashSync(input, salt));
  },
});

const rsadecrypt = new FunctionImpl({
  description: "Decrypts an RSA-encrypted (PKCS #1 v1.5) base64 ciphertext with a PEM private key.",
  params: [
    { name: "ciphertext", type: Type.string },
    { name: "privatekey", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const s = (args[0] as Value).asString();
    const key = (args[1] as Value).asString();
    const ciphertext = goBase64Decode(s);
    if (ciphertext === undefined) {
      throw new FunctionError(
        `failed to decode input ${goQuote(s)}: cipher text must be base64-encoded`,
      );
    }
    const block = pemDecode(key);
    if (block === undefined) throw new FunctionError("failed to parse key: no key found");
    if (block.headers["Proc-Type"] === "4,ENCRYPTED") {
      throw new FunctionError(
        "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use",
      );
    }
    try {
      const priv = parsePkcs1PrivateKey(block.bytes);
      const out = decryptPkcs1v15(priv, ciphertext);
      return Value.string(Buffer.from(out).toString("utf8"));
    } catch (e) {
      if (e instanceof RsaError) throw new FunctionError(e.message);
      throw e;
    }
  },
});

const uuidv4 = new FunctionImpl({
  description: "Generates a random (version 4) UUID.",
  params: [],
  type: staticReturnType(Type.string),
  impl: () => Value.string(nodeCrypto().randomUUID()),
});

const NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

function hexPair(s: string, i: number): number | undefined {
  const h = s.slice(i, i + 2);
  return /^[0-9a-fA-F]{2}$/.test(h) ? Number.parseInt(h, 16) : undefined;
}

/** google/uuid's Parse: the 16 bytes of a UUID, or the error text. */
export function parseUuid(input: string): Uint8Array | string {
  let s = input;
  const len = Buffer.byteLength(s, "utf8");
  const out = new Uint8Array(16);
  if (len === 32) {
    for (let i = 0; i < 16; i++) {
      const v = hexPair(s, i * 2);
      if (v === undefined) return "invalid UUID format";
      out[i] = v;
    }
    return out;
  }
  if (len === 45) {
    if (s.slice(0, 9).toLowerCase() !== "urn:uuid:") {
      return `invalid urn prefix: ${goQuote(s.slice(0, 9))}`;
    }
    s = s.slice(9);
  } else if (len === 38) {
    s = s.slice(1);
  } else if (len !== 36) {
    return `invalid UUID length: ${len}`;
  }
  if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") {
    return "invalid UUID format";
  }
  const offsets = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
  for (let i = 0; i < 16; i++) {
    const v = hexPair(s, offsets[i] as number);
    if (v === undefined) return "invalid UUID format";
    out[i] = v;
  }
  return out;
}

function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const uuidv5 = new FunctionImpl({
  description: "Generates a name-based (version 5, SHA-1) UUID within a namespace.",
  params: [
    { name: "namespace", type: Type.string },
    { name: "name", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const nsArg = (args[0] as Value).asString();
    const parsed = parseUuid(NAMESPACES[nsArg] ?? nsArg);
    if (typeof parsed === "string") {
      throw new FunctionError(`uuidv5() doesn't support namespace ${nsArg} (${parsed})`);
    }
    const h = nodeCrypto()
      .createHash("sha1")
      .update(parsed)
      .update((args[1] as Value).asString(), "utf8")
      .digest();
    const u = new Uint8Array(h.subarray(0, 16));
    u[6] = ((u[6] as number) & 0x0f) | 0x50;
    u[8] = ((u[8] as number) & 0x3f) | 0x80;
    return Value.string(formatUuid(u));
  },
});

export const cryptoFunctions: Record<string, FunctionImpl> = {
  bcrypt,
  md5: hashFunction("MD5", "md5"),
  rsadecrypt,
  sha1: hashFunction("SHA-1", "sha1"),
  sha256: hashFunction("SHA-256", "sha256"),
  sha512: hashFunction("SHA-512", "sha512"),
  uuidv4,
  uuidv5,
};
