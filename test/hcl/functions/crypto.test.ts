// Tests for the crypto functions. Hashes and uuidv5 results were pinned
// against `packer console` 1.6.6; bcrypt output is checked for format and
// verifiability (and a hash produced by Packer is verified); rsadecrypt is
// checked on a freshly generated key.

import assert from "node:assert/strict";
import { constants, generateKeyPairSync, publicEncrypt } from "node:crypto";
import { describe, it } from "node:test";
import bcryptjs from "bcryptjs";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { cryptoFunctions } from "../../../src/hcl/functions/crypto.js";

const S = (s: string): Value => Value.string(s);
const N = (n: number): Value => Value.number(n);

type Want = string | { error: string | RegExp; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function call(fn: string, args: Value[]): Value {
  const f = cryptoFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  return f.call(args);
}

function check([fn, args, want]: Case): void {
  if (typeof want === "string") {
    assert.equal(call(fn, args).asString(), want);
    return;
  }
  assert.throws(
    () => call(fn, args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `${fn}: not a FunctionError: ${e}`);
      if (typeof want.error === "string") assert.equal(e.message, want.error);
      else assert.match(e.message, want.error);
      if (want.arg !== undefined) {
        assert.ok(e instanceof ArgError);
        assert.equal(e.argIndex, want.arg);
      }
      return true;
    },
  );
}

const NS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

const cases: Case[] = [
  ["md5", [S("a")], "0cc175b9c0f1b6a831c399e269772661"],
  ["md5", [S("h\u00e9llo")], "be50e8478cf24ff3595bc7307fb91b50"],
  ["sha1", [S("a")], "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"],
  ["sha1", [S("")], "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
  ["sha256", [S("a")], "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"],
  [
    "sha512",
    [S("a")],
    "1f40fc92da241694750979ee6cf582f2d5d7d28e18335de05abc54d0560e0f5302860c652bf08d560252aa5e74210546f369fbbbce8c12cfc7957b2652fe9a75",
  ],
  ["uuidv5", [S("dns"), S("a")], "4f3f2898-69e3-5a0d-820a-c4e87987dbce"],
  ["uuidv5", [S("url"), S("https://example.com")], "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0"],
  ["uuidv5", [S("oid"), S("1.2.3")], "42d5e23b-3a02-5135-85c6-52d1102f1f00"],
  ["uuidv5", [S("x500"), S("cn=a")], "5c1fcbd6-0ab9-5b0d-9d61-5bcbb36ee6d0"],
  ["uuidv5", [S(NS), S("a")], "4f3f2898-69e3-5a0d-820a-c4e87987dbce"],
  ["uuidv5", [S(`{${NS}}`), S("a")], "4f3f2898-69e3-5a0d-820a-c4e87987dbce"],
  ["uuidv5", [S(`urn:uuid:${NS}`), S("a")], "4f3f2898-69e3-5a0d-820a-c4e87987dbce"],
  ["uuidv5", [S(NS.replaceAll("-", "")), S("a")], "4f3f2898-69e3-5a0d-820a-c4e87987dbce"],
  ["uuidv5", [S(NS.toUpperCase()), S("\u65e5\u672c")], "c545f148-2f1e-5792-8646-ecd64f3bb671"],
  [
    "uuidv5",
    [S("6ba7b810x9dad-11d1-80b4-00c04fd430c8"), S("a")],
    {
      error:
        "uuidv5() doesn't support namespace 6ba7b810x9dad-11d1-80b4-00c04fd430c8 (invalid UUID format)",
    },
  ],
  [
    "uuidv5",
    [S(`urx:uuid:${NS}`), S("a")],
    {
      error: `uuidv5() doesn't support namespace urx:uuid:${NS} (invalid urn prefix: "urx:uuid:")`,
    },
  ],
  [
    "uuidv5",
    [S("DNS"), S("a")],
    { error: "uuidv5() doesn't support namespace DNS (invalid UUID length: 3)" },
  ],
  [
    "bcrypt",
    [S("a"), N(3.5)],
    { error: "value must be a whole number, between -9223372036854775808 and 9223372036854775807" },
  ],
  [
    "bcrypt",
    [S("a"), N(32)],
    {
      error:
        "error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)",
    },
  ],
  ["bcrypt", [S("a"), N(4), N(5)], { error: "bcrypt() takes no more than two arguments" }],
  [
    "bcrypt",
    [S("x".repeat(73))],
    { error: "error occured generating password bcrypt: password length exceeds 72 bytes" },
  ],
  [
    "rsadecrypt",
    [S("!!"), S("")],
    { error: 'failed to decode input "!!": cipher text must be base64-encoded' },
  ],
  ["rsadecrypt", [S("AAAA"), S("not a key")], { error: "failed to parse key: no key found" }],
];

describe("crypto functions", () => {
  for (const c of cases) {
    it(`${c[0]}(${c[1].map((a) => a.toString()).join(", ")})`, () => check(c));
  }
});

describe("bcrypt", () => {
  it("produces a verifiable $2a$ hash with the requested cost", () => {
    const h = call("bcrypt", [S("h\u00e9llo"), N(5)]).asString();
    assert.match(h, /^\$2a\$05\$[./A-Za-z0-9]{53}$/);
    assert.ok(bcryptjs.compareSync("h\u00e9llo", h));
    assert.ok(!bcryptjs.compareSync("hello", h));
  });
  it("uses cost 10 by default and for costs below 4", () => {
    assert.match(call("bcrypt", [S("a"), N(2)]).asString(), /^\$2a\$10\$/);
    assert.match(call("bcrypt", [S("a"), N(-1)]).asString(), /^\$2a\$10\$/);
    assert.match(call("bcrypt", [S("a")]).asString(), /^\$2a\$10\$/);
  });
  it("is compatible with hashes Packer produced", () => {
    assert.ok(
      bcryptjs.compareSync(
        "h\u00e9llo",
        "$2a$04$qx0s/VNhuiaAJpRGgb1ax.evRoibH4GDu/czaMHbGH8QkiKXkpOVm",
      ),
    );
  });
  it("salts each hash differently", () => {
    const a = call("bcrypt", [S("a"), N(4)]).asString();
    const b = call("bcrypt", [S("a"), N(4)]).asString();
    assert.notEqual(a, b);
  });
});

describe("uuidv4", () => {
  it("returns distinct version-4 UUIDs", () => {
    const a = call("uuidv4", []).asString();
    const b = call("uuidv4", []).asString();
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
  });
});

describe("rsadecrypt", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const encrypt = (s: string) =>
    publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(s),
    ).toString("base64");

  it("decrypts PKCS #1 v1.5 ciphertext with a PKCS #1 PEM key", () => {
    const ct = encrypt("h\u00e9llo world");
    assert.equal(call("rsadecrypt", [S(ct), S(pkcs1)]).asString(), "h\u00e9llo world");
  });
  it("finds the key inside surrounding text and tolerates wrapped base64", () => {
    const ct = encrypt("x");
    const wrapped = `${ct.slice(0, 40)}\n${ct.slice(40)}`;
    const key = `junk before\n${pkcs1}\ntrailing junk`;
    assert.equal(call("rsadecrypt", [S(wrapped), S(key)]).asString(), "x");
  });
  it("decrypts an empty message", () => {
    assert.equal(call("rsadecrypt", [S(encrypt("")), S(pkcs1)]).asString(), "");
  });
  it("rejects PKCS #8 keys as Go does", () => {
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    check([
      "rsadecrypt",
      [S(encrypt("x")), S(pkcs8)],
      {
        error:
          "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
      },
    ]);
  });
  it("rejects EC keys as Go does", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = ec.privateKey.export({ type: "sec1", format: "pem" }) as string;
    check([
      "rsadecrypt",
      [S(encrypt("x")), S(pem)],
      {
        error:
          "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
      },
    ]);
  });
  it("rejects encrypted PEM blocks", () => {
    const pem = pkcs1.replace(
      "-----BEGIN RSA PRIVATE KEY-----\n",
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
    );
    check([
      "rsadecrypt",
      [S(encrypt("x")), S(pem)],
      {
        error:
          "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use",
      },
    ]);
  });
  it("reports a decryption error for the wrong key or garbage", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs1",
      format: "pem",
    }) as string;
    check(["rsadecrypt", [S(encrypt("x")), S(other)], { error: "crypto/rsa: decryption error" }]);
    check(["rsadecrypt", [S("AAAA"), S(pkcs1)], { error: "crypto/rsa: decryption error" }]);
  });
  it("rejects a PEM body that is not a key", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    check(["rsadecrypt", [S(encrypt("x")), S(pem)], { error: /^asn1: / }]);
  });
  it("passes unknown arguments through", () => {
    const got = call("rsadecrypt", [Value.unknown(Type.string), S(pkcs1)]);
    assert.ok(!got.isKnown());
  });
});
