// A SOCKS5 client connection (RFC 1928, with RFC 1929 username/password
// authentication): just enough to reach the SSH port through ssh_proxy_host.

import { connect, isIPv4, isIPv6, type Socket } from "node:net";

export interface SocksProxy {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

const REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/** Error from the proxy; `code` mirrors the socket error a direct connection would have given. */
export class SocksError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Opens a TCP connection to host:port through the proxy; resolves once the proxy has connected it. */
export function socksConnect(
  proxy: SocksProxy,
  host: string,
  port: number,
  timeoutMs = 30_000,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let address: Buffer;
    try {
      address = socksAddress(host);
    } catch (err) {
      return reject(err);
    }
    const sock = connect({ host: proxy.host, port: proxy.port });
    const name = `the SOCKS proxy ${proxy.host}:${proxy.port}`;
    let buf = Buffer.alloc(0);
    let stage: "connecting" | "greeting" | "auth" | "connect" | "done" = "connecting";
    const fail = (err: Error) => {
      if (stage === "done") return;
      stage = "done";
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () =>
      fail(new SocksError(`timeout talking to ${name}`, "ETIMEDOUT")),
    );
    sock.on("error", (err: NodeJS.ErrnoException) => {
      if (stage === "connecting") {
        const why = err.code === "ECONNREFUSED" ? "connection refused" : err.message;
        fail(new SocksError(`cannot reach ${name}: ${why}`, err.code));
      } else fail(new SocksError(`${name}: ${err.message}`, err.code));
    });
    sock.on("close", () => fail(new SocksError(`${name} closed the connection`, "ECONNRESET")));
    const withAuth = (proxy.username ?? "") !== "";
    sock.on("connect", () => {
      stage = "greeting";
      sock.write(Buffer.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
    });
    const sendConnect = () => {
      stage = "connect";
      sock.write(
        Buffer.concat([Buffer.from([5, 1, 0]), address, Buffer.from([port >> 8, port & 0xff])]),
      );
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === "greeting") {
        if (buf.length < 2) return;
        const method = buf[1]!;
        buf = buf.subarray(2);
        if (method === 0) return sendConnect();
        if (method === 2 && withAuth) {
          stage = "auth";
          const u = Buffer.from(proxy.username ?? "", "utf8");
          const p = Buffer.from(proxy.password ?? "", "utf8");
          sock.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
          return;
        }
        return fail(
          new SocksError(
            withAuth
              ? `${name} accepts none of the offered authentication methods (none, username/password)`
              : `${name} requires authentication: set ssh_proxy_username and ssh_proxy_password`,
          ),
        );
      }
      if (stage === "auth") {
        if (buf.length < 2) return;
        if (buf[1] !== 0) return fail(new SocksError(`${name} rejected the username or password`));
        buf = buf.subarray(2);
        return sendConnect();
      }
      // The connect reply: VER REP RSV ATYP BND.ADDR BND.PORT
      if (buf.length < 5) return;
      const rep = buf[1]!;
      if (rep !== 0) {
        const code =
          rep === 5 ? "ECONNREFUSED" : rep === 4 || rep === 3 ? "EHOSTUNREACH" : undefined;
        return fail(
          new SocksError(
            `${name} could not connect to ${host}:${port}: ${REPLIES[rep] ?? `error ${rep}`}`,
            code,
          ),
        );
      }
      const atyp = buf[3];
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      const total = 4 + addrLen + 2;
      if (buf.length < total) return;
      stage = "done";
      // Paused first: bytes after the reply (the SSH banner) must wait for the SSH client.
      sock.pause();
      sock.off("data", onData);
      sock.removeAllListeners("error");
      sock.removeAllListeners("close");
      sock.setTimeout(0);
      const rest = buf.subarray(total);
      if (rest.length > 0) sock.unshift(rest);
      resolve(sock);
    };
    sock.on("data", onData);
  });
}

/** The destination address field: ATYP and address, IPs as numbers, names for the proxy to resolve. */
export function socksAddress(host: string): Buffer {
  if (isIPv4(host)) return Buffer.from([1, ...host.split(".").map(Number)]);
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIPv6(bare)) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups; "::" stands for the missing zeros.
    const hex = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
      [((+a << 8) | +b).toString(16), ((+c << 8) | +d).toString(16)].join(":"),
    );
    const [head = "", tail] = hex.split("::");
    const split = (s: string) => (s === "" ? [] : s.split(":"));
    const left = split(head);
    const right = tail === undefined ? [] : split(tail);
    const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
    const out = Buffer.alloc(17);
    out[0] = 4;
    for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), 1 + i * 2);
    return out;
  }
  const name = Buffer.from(host, "utf8");
  if (name.length > 255) throw new SocksError(`host name too long for SOCKS5: ${host}`);
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}
