import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { desEncryptBlock, vncAuthResponse } from "../../../src/engine/bootcommand/index.js";
import { run } from "../../../src/process/index.js";

const hex = (s: string) => Buffer.from(s, "hex");

// Published DES test vectors: [key, plaintext, ciphertext].
const VECTORS: Array<[string, string, string]> = [
  // The worked example of J. Orlin Grabbe's DES tutorial.
  ["133457799bbcdff1", "0123456789abcdef", "85e813540f0ab405"],
  // NIST SP 800-17 variable-plaintext and variable-key tests; FIPS 81's "Now is t".
  ["0101010101010101", "8000000000000000", "95f8a5e5dd31d900"],
  ["0101010101010101", "0000000000000001", "166b40b44aba4bd6"],
  ["8001010101010101", "0000000000000000", "95a8d72813daa94d"],
  ["0123456789abcdef", "4e6f772069732074", "3fa40e8a984d4815"],
];

test("DES encrypts the published vectors", () => {
  for (const [key, plain, cipher] of VECTORS) {
    assert.equal(desEncryptBlock(hex(key), hex(plain)).toString("hex"), cipher, `key ${key}`);
  }
});

test("DES agrees with OpenSSL's (legacy provider) on random keys and blocks", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-des-"));
  try {
    for (let i = 0; i < 4; i++) {
      const key = randomBytes(8);
      const blocks = randomBytes(8 * 4);
      writeFileSync(join(dir, "plain"), blocks);
      await run("openssl", [
        "enc",
        "-des-ecb",
        "-provider",
        "legacy",
        "-provider",
        "default",
        "-nopad",
        "-K",
        key.toString("hex"),
        "-in",
        join(dir, "plain"),
        "-out",
        join(dir, "cipher"),
      ]);
      const ours = Buffer.concat(
        [0, 1, 2, 3].map((b) => desEncryptBlock(key, blocks.subarray(8 * b, 8 * b + 8))),
      );
      assert.deepEqual(ours, readFileSync(join(dir, "cipher")), `key ${key.toString("hex")}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("VNC Authentication mirrors the bits of each password byte and pads to 8", () => {
  const challenge = hex("0123456789abcdeffedcba9876543210");
  // "pass": 70 61 73 73, mirrored 0e 86 ce ce, zero-padded.
  const key = hex("0e86cece00000000");
  assert.deepEqual(
    vncAuthResponse("pass", challenge),
    Buffer.concat([
      desEncryptBlock(key, challenge.subarray(0, 8)),
      desEncryptBlock(key, challenge.subarray(8)),
    ]),
  );
  // Only the first 8 bytes of the password count.
  assert.deepEqual(vncAuthResponse("12345678", challenge), vncAuthResponse("123456789", challenge));
  assert.notDeepEqual(
    vncAuthResponse("1234567", challenge),
    vncAuthResponse("12345678", challenge),
  );
});

test("DES rejects keys and blocks of the wrong size", () => {
  assert.throws(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8)), /8-byte/);
  assert.throws(() => vncAuthResponse("x", Buffer.alloc(8)), /16 bytes/);
});
