// Opening SSH connections: the TCP path to the machine (direct, through a
// SOCKS5 proxy or through a bastion host), authentication (agent, keys,
// password, keyboard-interactive with the password), and the wait for SSH
// that retries until the machine answers, telling the user why each attempt
// failed (connection refused, authentication rejected, timeout...).

import { readFile } from "node:fs/promises";
import { type Socket, connect as tcpConnect } from "node:net";
import type { Duplex } from "node:stream";
import ssh2, { type AuthenticationType, Client, type ConnectConfig } from "ssh2";

const { utils } = ssh2;

import type { Ui } from "../../ui/index.js";
import type { BastionSettings, SSHSettings } from "./config.js";
import { SocksError, socksConnect } from "./socks.js";

/** How long the SSH handshake (key exchange and authentication) may take (Packer: 1 minute). */
const HANDSHAKE_TIMEOUT_MS = 60_000;

export type FailureKind = "refused" | "auth" | "timeout" | "unreachable" | "reset" | "other";

/** A failed connection attempt, with a reason a user can act on. */
export class SSHConnectError extends Error {
  override readonly name = "SSHConnectError";
  constructor(
    readonly kind: FailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The credentials for one SSH login, read once before the first attempt. */
export interface LoginAuth {
  username: string;
  password: string;
  /** Private keys in the order they are offered, each with where it came from. */
  keys: { key: string | Buffer; source: string }[];
  /** The agent socket (SSH_AUTH_SOCK) when agent authentication is on. */
  agent?: string;
}

/** Reads and checks the private keys the settings name; rejects with a configuration error. */
export async function loginAuth(settings: SSHSettings): Promise<LoginAuth> {
  const keys: LoginAuth["keys"] = [];
  if (settings.privateKeyFile !== "") {
    keys.push({ key: await readKey(settings.privateKeyFile), source: settings.privateKeyFile });
  }
  if (settings.privateKey !== undefined && settings.privateKey !== "") {
    checkKey(settings.privateKey, "the temporary key pair");
    keys.push({ key: settings.privateKey, source: "the temporary key pair" });
  }
  return {
    username: settings.username,
    password: settings.password,
    keys,
    ...(settings.agentAuth ? { agent: agentSocket() } : {}),
  };
}

function bastionAuth(b: BastionSettings): Promise<LoginAuth> {
  return (async () => ({
    username: b.username,
    password: b.password,
    keys:
      b.privateKeyFile !== ""
        ? [{ key: await readKey(b.privateKeyFile), source: b.privateKeyFile }]
        : [],
    ...(b.agentAuth ? { agent: agentSocket() } : {}),
  }))();
}

function agentSocket(): string {
  const sock = process.env.SSH_AUTH_SOCK ?? "";
  if (sock === "") throw new Error("SSH_AUTH_SOCK is not set");
  return sock;
}

async function readKey(path: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new Error(`Error reading SSH private key file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  checkKey(data, path);
  return data;
}

function checkKey(data: string | Buffer, source: string): void {
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    throw new Error(
      `Error setting up SSH config: ${source} is not a usable private key: ${parsed.message}`,
    );
  }
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** Limit for the TCP connection and the handshake together. */
  timeoutMs?: number;
  keepAliveIntervalMs?: number;
  /** Idle time after which the connection counts as dead (ssh_read_write_timeout); 0: none. */
  readWriteTimeoutMs?: number;
}

/** An open, authenticated connection and what must be closed with it (a bastion's). */
export interface OpenConnection {
  client: Client;
  close(): void;
}

/** Connects and authenticates once; rejects with an SSHConnectError saying why it failed. */
export async function openConnection(
  settings: SSHSettings,
  auth: LoginAuth,
  opts: OpenOptions = {},
): Promise<OpenConnection> {
  const timeoutMs = opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const target = `${settings.host}:${settings.port}`;
  let bastion: OpenConnection | undefined;
  let sock: Duplex;
  if (settings.bastion !== undefined) {
    const b = settings.bastion;
    const bSettings = {
      ...settings,
      host: b.host,
      port: b.port,
      bastion: undefined,
      proxy: undefined,
    };
    try {
      bastion = await openConnection(bSettings, await bastionAuth(b), { ...opts, timeoutMs });
    } catch (err) {
      const e = err as SSHConnectError;
      throw new SSHConnectError(
        e.kind ?? "other",
        `bastion host ${b.host}:${b.port}: ${e.message}`,
        {
          cause: err,
        },
      );
    }
    sock = await forwardThrough(bastion.client, settings.host, settings.port).catch((err) => {
      bastion?.close();
      throw err;
    });
  } else if (settings.proxy !== undefined) {
    try {
      sock = await socksConnect(settings.proxy, settings.host, settings.port, timeoutMs);
    } catch (err) {
      throw socketError(err, target);
    }
  } else {
    sock = await tcp(settings.host, settings.port, timeoutMs, opts.signal);
  }
  if (opts.readWriteTimeoutMs && opts.readWriteTimeoutMs > 0 && "setTimeout" in sock) {
    const s = sock as Socket;
    s.setTimeout(opts.readWriteTimeoutMs, () =>
      s.destroy(new Error(`no data for ${opts.readWriteTimeoutMs} ms (ssh_read_write_timeout)`)),
    );
  }
  try {
    const client = await handshake(sock, auth, target, timeoutMs, opts);
    return {
      client,
      close() {
        client.end();
        client.destroy();
        bastion?.close();
      },
    };
  } catch (err) {
    sock.destroy();
    bastion?.close();
    throw err;
  }
}

function forwardThrough(bastion: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    bastion.forwardOut("127.0.0.1", 0, host, port, (err, channel) => {
      if (err) {
        const refused = /refused/i.test(err.message) || (err as { reason?: number }).reason === 2;
        reject(
          new SSHConnectError(
            refused ? "refused" : "other",
            `the bastion host could not connect to ${host}:${port}: ${err.message}`,
            { cause: err },
          ),
        );
      } else resolve(channel);
    });
  });
}

function tcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const target = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host, port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      sock.off("error", done);
      if (err) {
        sock.destroy();
        reject(err);
      } else resolve(sock);
    };
    const onAbort = () => done(new SSHConnectError("other", "SSH wait cancelled"));
    const timer = setTimeout(
      () => done(new SSHConnectError("timeout", `timeout connecting to ${target}`)),
      timeoutMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("connect", () => done());
    sock.on("error", (err) => done(socketError(err, target)));
  });
}

/** A socket-level failure as a reason the user understands. */
function socketError(err: unknown, target: string): SSHConnectError {
  if (err instanceof SSHConnectError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? (err instanceof SocksError ? err.code : undefined);
  switch (code) {
    case "ECONNREFUSED":
      return new SSHConnectError("refused", `connection refused by ${target}`, { cause: err });
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new SSHConnectError("unreachable", `host unreachable: ${target}`, { cause: err });
    case "ETIMEDOUT":
      return new SSHConnectError("timeout", `timeout connecting to ${target}`, { cause: err });
    case "ECONNRESET":
    case "EPIPE":
      return new SSHConnectError("reset", `connection reset by ${target}`, { cause: err });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new SSHConnectError("unreachable", `host not found: ${target}`, { cause: err });
    default:
      return new SSHConnectError("other", `${target}: ${e.message}`, { cause: err });
  }
}

type AuthMethod =
  | { type: "publickey"; key: string | Buffer; source: string }
  | { type: "password" }
  | { type: "keyboard-interactive" }
  | { type: "agent"; agent: string };

function authMethods(auth: LoginAuth): AuthMethod[] {
  const methods: AuthMethod[] = [];
  if (auth.agent !== undefined) methods.push({ type: "agent", agent: auth.agent });
  for (const k of auth.keys) methods.push({ type: "publickey", key: k.key, source: k.source });
  if (auth.password !== "") {
    methods.push({ type: "password" }, { type: "keyboard-interactive" });
  }
  return methods;
}

function handshake(
  sock: Duplex,
  auth: LoginAuth,
  target: string,
  timeoutMs: number,
  opts: OpenOptions,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const methods = authMethods(auth);
    const tried: string[] = [];
    let allowed: string[] | undefined;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) {
        client.destroy();
        reject(err);
      } else resolve(client);
    };
    const onAbort = () => finish(new SSHConnectError("other", "SSH wait cancelled"));
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    let next = 0;
    const authHandler = (
      methodsLeft: AuthenticationType[] | null,
      _partial: boolean | null,
      callback: (m: unknown) => void,
    ) => {
      if (methodsLeft) allowed = methodsLeft;
      while (next < methods.length) {
        const m = methods[next++]!;
        const wire = m.type === "agent" ? "publickey" : m.type;
        if (allowed && !allowed.includes(wire as AuthenticationType)) continue;
        tried.push(m.type === "publickey" ? `publickey (${m.source})` : m.type);
        switch (m.type) {
          case "agent":
            return callback({ type: "agent", username: auth.username, agent: m.agent });
          case "publickey":
            return callback({ type: "publickey", username: auth.username, key: m.key });
          case "password":
            return callback({ type: "password", username: auth.username, password: auth.password });
          case "keyboard-interactive":
            return callback({
              type: "keyboard-interactive",
              username: auth.username,
              prompt: (
                _name: string,
                _instructions: string,
                _lang: string,
                prompts: unknown[],
                answer: (responses: string[]) => void,
              ) => answer(prompts.map(() => auth.password)),
            });
        }
      }
      callback(false);
    };

    client.on("ready", () => finish());
    client.on("error", (err: Error & { level?: string; code?: string }) => {
      if (err.level === "client-authentication") {
        const triedText = tried.length > 0 ? tried.join(", ") : "no method";
        const allows = allowed ? `; the server accepts ${allowed.join(", ")}` : "";
        return finish(
          new SSHConnectError(
            "auth",
            `authentication rejected for user "${auth.username}" (tried ${triedText}${allows})`,
            { cause: err },
          ),
        );
      }
      if (err.level === "client-timeout") {
        return finish(
          new SSHConnectError("timeout", `timeout during the SSH handshake with ${target}`, {
            cause: err,
          }),
        );
      }
      if (err.code !== undefined) return finish(socketError(err, target));
      finish(
        new SSHConnectError("other", `SSH handshake with ${target} failed: ${err.message}`, {
          cause: err,
        }),
      );
    });
    client.on("close", () =>
      finish(
        new SSHConnectError("reset", `connection closed by ${target} during the SSH handshake`),
      ),
    );
    const config: ConnectConfig = {
      sock: sock as ConnectConfig["sock"],
      username: auth.username,
      readyTimeout: timeoutMs,
      keepaliveInterval: Math.max(0, opts.keepAliveIntervalMs ?? 0),
      keepaliveCountMax: 3,
      hostVerifier: () => true,
      authHandler: authHandler as unknown as ConnectConfig["authHandler"],
    };
    if (auth.agent !== undefined) config.agent = auth.agent;
    client.connect(config);
  });
}

export interface WaitOptions {
  ui: Ui;
  signal: AbortSignal;
  /** Pause between attempts (default 1 s; 2 s after an authentication failure, as Packer). */
  retryDelayMs?: number;
}

/** Why the wait for SSH failed for good: the timeout, the handshake attempts or a cancel. */
export class SSHWaitError extends Error {
  override readonly name = "SSHWaitError";
  constructor(
    message: string,
    readonly lastFailure?: SSHConnectError,
    readonly timedOut = false,
  ) {
    super(message, lastFailure ? { cause: lastFailure } : undefined);
  }
}

/**
 * Tries to connect until it works, ssh_timeout passes, or authentication has
 * failed ssh_handshake_attempts times. Each new reason for a failure is shown
 * once, as a message line; the final error names the last one.
 */
export async function waitForSSH(
  settings: SSHSettings,
  auth: LoginAuth,
  opts: WaitOptions,
): Promise<OpenConnection> {
  const deadline =
    settings.timeoutMs > 0 ? Date.now() + settings.timeoutMs : Number.POSITIVE_INFINITY;
  const delay = opts.retryDelayMs ?? 1000;
  const cancelled = (last?: SSHConnectError) => new SSHWaitError("SSH wait cancelled", last);
  let last: SSHConnectError | undefined;
  let authFailures = 0;
  for (;;) {
    try {
      // Each attempt ends by itself at the deadline, so its own reason is the last one.
      return await openConnection(settings, auth, {
        signal: opts.signal,
        timeoutMs: Math.min(HANDSHAKE_TIMEOUT_MS, Math.max(1, deadline - Date.now())),
        keepAliveIntervalMs: settings.keepAliveIntervalMs,
        readWriteTimeoutMs: settings.readWriteTimeoutMs,
      });
    } catch (err) {
      if (opts.signal.aborted) throw cancelled(last);
      if (!(err instanceof SSHConnectError)) throw err;
      if (last?.message !== err.message)
        opts.ui.message(`SSH is not available yet: ${err.message}`);
      last = err;
      if (err.kind === "auth") {
        authFailures++;
        if (settings.handshakeAttempts > 0 && authFailures >= settings.handshakeAttempts) {
          throw new SSHWaitError(
            "Packer experienced an authentication error when trying to connect via SSH. " +
              "This can happen if your username/password are wrong. You may want to double-check " +
              `your credentials as part of your debugging process. original error: ${err.message}`,
            err,
          );
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      const pause = Math.min(left, err.kind === "auth" ? Math.max(delay, 2000) : delay);
      if (!(await sleep(pause, opts.signal))) throw cancelled(last);
      if (Date.now() >= deadline) break;
    }
  }
  const why = last ? ` The last attempt failed: ${last.message}.` : "";
  throw new SSHWaitError(`Timeout waiting for SSH.${why}`, last, true);
}

/** Waits `ms`; resolves false when the signal fired first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
