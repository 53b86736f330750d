// OpenSSH user certificates (ssh_certificate_file): the login offers the
// certificate, signed by its CA, in place of the bare public key, and signs
// with the private key it certifies (PROTOCOL.certkeys in OpenSSH's sources).
//
// ssh2 1.17 has no certificate support of its own: it names the certificate's
// algorithm in the signature as well, which sshd refuses (the signature must
// carry the plain algorithm, e.g. "ssh-ed25519"). So a certified key is a
// parsed private key whose public blob is the certificate, and the one
// connection that uses it gets its publickey request written here.

import { createRequire } from "node:module";
import ssh2, { type Client, type ParsedKey } from "ssh2";

const { utils } = ssh2;

const require = createRequire(import.meta.url);
// ssh2's own packet helpers (the package has no export map: these paths are stable within 1.x).
const protocolUtils = require("ssh2/lib/protocol/utils.js") as {
  sendPacket(proto: unknown, packet: Buffer): void;
  convertSignature(signature: Buffer, keyType: string): Buffer | false;
};

/** Certificate algorithms: the name in the request, the signature's, and the hash to sign with. */
const ALGORITHMS: Record<string, { request: string; signature: string; hash?: string }> = {
  "ssh-ed25519-cert-v01@openssh.com": {
    request: "ssh-ed25519-cert-v01@openssh.com",
    signature: "ssh-ed25519",
  },
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": {
    request: "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp256",
  },
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": {
    request: "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp384",
  },
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": {
    request: "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp521",
  },
  // SHA-1 RSA signatures are refused by current OpenSSH servers: sign with SHA-512.
  "ssh-rsa-cert-v01@openssh.com": {
    request: "rsa-sha2-512-cert-v01@openssh.com",
    signature: "rsa-sha2-512",
    hash: "sha512",
  },
};

/** What a certified key carries besides the private key. */
interface CertInfo {
  blob: Buffer;
  request: string;
  signature: string;
  /** The plain key type, for converting the signature to SSH's encoding. */
  keyType: string;
}

const certificates = new WeakMap<object, CertInfo>();

/** What a certificate says about itself, for messages and checks. */
export interface CertificateInfo {
  type: string;
  keyId: string;
  principals: string[];
  /** Seconds since the epoch; validBefore is 2^64-1 for "forever". */
  validAfter: bigint;
  validBefore: bigint;
  /** 1: user certificate, 2: host certificate. */
  certType: number;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  string(): Buffer {
    if (this.pos + 4 > this.buf.length) throw new Error("truncated certificate");
    const len = this.buf.readUInt32BE(this.pos);
    const start = this.pos + 4;
    if (start + len > this.buf.length) throw new Error("truncated certificate");
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }
  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error("truncated certificate");
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint64(): bigint {
    if (this.pos + 8 > this.buf.length) throw new Error("truncated certificate");
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
}

/** How many strings the public key fields of each key type take in a certificate. */
function publicFieldCount(type: string): number {
  if (type.startsWith("ssh-ed25519")) return 1;
  return 2; // rsa: e, n; ecdsa: curve, point
}

/** Parses the text of a certificate file (`<type> <base64> [comment]`). */
export function parseCertificate(text: string): { blob: Buffer; info: CertificateInfo } {
  const fields = text.trim().split(/\s+/);
  const type = fields[0] ?? "";
  if (!(type in ALGORITHMS)) {
    throw new Error(
      type.endsWith("-cert-v01@openssh.com")
        ? `certificates of type ${type} are not supported`
        : "not an OpenSSH certificate (expected a line like ssh-ed25519-cert-v01@openssh.com AAAA...)",
    );
  }
  const blob = Buffer.from(fields[1] ?? "", "base64");
  const r = new Reader(blob);
  if (r.string().toString("latin1") !== type) throw new Error("malformed certificate");
  r.string(); // nonce
  for (let i = publicFieldCount(type); i > 0; i--) r.string();
  r.uint64(); // serial
  const certType = r.uint32();
  const keyId = r.string().toString("utf8");
  const principalsReader = new Reader(r.string());
  const principals: string[] = [];
  while (!principalsReader.done()) principals.push(principalsReader.string().toString("utf8"));
  const validAfter = r.uint64();
  const validBefore = r.uint64();
  return { blob, info: { type, keyId, principals, validAfter, validBefore, certType } };
}

/**
 * The private key `key` paired with the certificate in `certText`, as a key
 * ssh2's publickey authentication takes. Throws when the certificate is not
 * a user certificate, has expired, or certifies another key.
 */
export function certifiedKey(key: ParsedKey, certText: string, now = Date.now()): ParsedKey {
  const { blob, info } = parseCertificate(certText);
  if (info.certType !== 1) throw new Error("it is a host certificate, not a user certificate");
  const seconds = BigInt(Math.floor(now / 1000));
  if (seconds < info.validAfter) {
    throw new Error(`it is not valid before ${certTime(info.validAfter)}`);
  }
  if (seconds >= info.validBefore) throw new Error(`it expired at ${certTime(info.validBefore)}`);
  const algo = ALGORITHMS[info.type]!;
  // The certified public key sits after the type and nonce, field by field as in the plain key.
  const plain = key.getPublicSSH();
  const plainReader = new Reader(plain);
  const keyType = plainReader.string().toString("latin1");
  const certReader = new Reader(blob);
  certReader.string();
  certReader.string();
  const start = certReader.pos;
  for (let i = publicFieldCount(info.type); i > 0; i--) certReader.string();
  if (
    !info.type.startsWith(keyType) ||
    !blob.subarray(start, certReader.pos).equals(plain.subarray(plainReader.pos))
  ) {
    throw new Error("it certifies another key than the private key");
  }
  const certified = Object.create(key) as ParsedKey & { type: string };
  Object.defineProperty(certified, "type", { value: algo.request, enumerable: true });
  certified.getPublicSSH = () => blob;
  certified.sign = (data: Buffer | string, hash?: string) => key.sign(data, hash ?? algo.hash);
  certificates.set(certified, {
    blob,
    request: algo.request,
    signature: algo.signature,
    keyType,
  });
  return certified;
}

function certTime(seconds: bigint): string {
  if (seconds > 253402300799n) return "the end of time";
  return new Date(Number(seconds) * 1000).toISOString();
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

interface Proto {
  authPK(
    username: string,
    key: unknown,
    keyAlgo?: string | ((data: Buffer, cb: (sig: Buffer) => void) => void),
    cbSign?: (data: Buffer, cb: (sig: Buffer) => void) => void,
  ): void;
  _kex: { sessionID: Buffer };
  _packetRW: {
    write: { alloc(n: number): Buffer; allocStart: number; finalize(p: Buffer): Buffer };
  };
  _authsQueue: string[];
}

/** Whether `key` is a certified key made by certifiedKey. */
export function isCertifiedKey(key: unknown): boolean {
  return typeof key === "object" && key !== null && certificates.has(key);
}

/**
 * Teaches a client that has just been given `connect()` to sign publickey
 * requests for certified keys as OpenSSH expects. Throws when this ssh2 does
 * not have the internals it relies on.
 */
export function enableCertificateAuth(client: Client): void {
  const proto = (client as unknown as { _protocol?: Proto })._protocol;
  if (proto === undefined || typeof proto.authPK !== "function") {
    throw new Error("this version of the ssh2 library cannot log in with a certificate");
  }
  const original = proto.authPK;
  proto.authPK = function (this: Proto, username, key, keyAlgo, cbSign) {
    const cert = typeof key === "object" && key !== null ? certificates.get(key) : undefined;
    if (cert === undefined) return original.call(this, username, key, keyAlgo, cbSign);
    const sign = typeof keyAlgo === "function" ? keyAlgo : cbSign;
    // The query ("would this key do?") names the certificate algorithm once: ssh2 writes it right.
    if (sign === undefined) return original.call(this, username, key, cert.request);
    const request = Buffer.concat([
      Buffer.from([50]), // SSH_MSG_USERAUTH_REQUEST
      sshString(username),
      sshString("ssh-connection"),
      sshString("publickey"),
      Buffer.from([1]),
      sshString(cert.request),
      sshString(cert.blob),
    ]);
    sign(Buffer.concat([sshString(this._kex.sessionID), request]), (raw) => {
      const signature = protocolUtils.convertSignature(raw, cert.keyType);
      if (signature === false) throw new Error("Error while converting handshake signature");
      const payload = Buffer.concat([
        request,
        sshString(Buffer.concat([sshString(cert.signature), sshString(signature)])),
      ]);
      const w = this._packetRW.write;
      const packet = w.alloc(payload.length);
      payload.copy(packet, w.allocStart);
      this._authsQueue.push("publickey");
      protocolUtils.sendPacket(this, w.finalize(packet));
    });
  };
}

/** Reads a private key for certificate use; rejects what ssh2 cannot parse. */
export function parsePrivateKey(data: string | Buffer, source: string): ParsedKey {
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    throw new Error(`${source} is not a usable private key: ${parsed.message}`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) throw new Error(`${source} holds no key`);
  return key;
}
