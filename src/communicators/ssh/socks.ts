// A SOCKS5 client connection (RFC 1928, with RFC 1929 username/password
// authentication): just enough to reach the SSH port through ssh_proxy_host.

import { connect, type Socket } from "node:net";

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
    const sock = connect({ host: proxy.host, port: proxy.port });
    let buf = Buffer.alloc(0);
    let stage: "greeting" | "auth" | "connect" = "greeting";
    const fail = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () =>
      fail(
        new SocksError(
          `timeout talking to the SOCKS proxy ${proxy.host}:${proxy.port}`,
          "ETIMEDOUT",
        ),
      ),
    );
    sock.on("error", fail);
    const withAuth = (proxy.username ?? "") !== "";
    sock.on("connect", () => {
      sock.write(Buffer.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
    });
    const sendConnect = () => {
      stage = "connect";
      const name = Buffer.from(host, "utf8");
      sock.write(
        Buffer.concat([
          Buffer.from([5, 1, 0, 3, name.length]),
          name,
          Buffer.from([port >> 8, port & 0xff]),
        ]),
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
          new SocksError("the SOCKS proxy accepts none of the offered authentication methods"),
        );
      }
      if (stage === "auth") {
        if (buf.length < 2) return;
        if (buf[1] !== 0)
          return fail(new SocksError("the SOCKS proxy rejected the username or password"));
        buf = buf.subarray(2);
        return sendConnect();
      }
      // The connect reply: VER REP RSV ATYP BND.ADDR BND.PORT
      if (buf.length < 5) return;
      const rep = buf[1]!;
      if (rep !== 0) {
        const code =
          rep === 5 ? "ECONNREFUSED" : rep === 4 || rep === 3 ? "EHOSTUNREACH" : undefined;
        return fail(new SocksError(`SOCKS proxy: ${REPLIES[rep] ?? `error ${rep}`}`, code));
      }
      const atyp = buf[3];
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      const total = 4 + addrLen + 2;
      if (buf.length < total) return;
      sock.off("data", onData);
      sock.off("error", fail);
      sock.setTimeout(0);
      const rest = buf.subarray(total);
      if (rest.length > 0) sock.unshift(rest);
      resolve(sock);
    };
    sock.on("data", onData);
  });
}
