// Opening SSH connections: the TCP path to the machine (direct, through a
// SOCKS5 proxy or through a bastion host), authentication (agent, keys,
// password, keyboard-interactive with the password), and the wait for SSH
// that retries until the machine answers, telling the user why each attempt
// failed (connection refused, authentication rejected, timeout...).

import { readFile, stat } from "node:fs/promises";
import { type Socket, connect as tcpConnect } from "node:net";
import type { Duplex } from "node:stream";
import ssh2, { type AuthenticationType, Client, type ConnectConfig, type ParsedKey } from "ssh2";

const { OpenSSHAgent, utils } = ssh2;

import type { Ui } from "../../ui/index.js";
import { sleep } from "../../util/sleep.js";
import {
  certifiedKey,
  enableCertificateAuth,
  isCertifiedKey,
  parsePrivateKey,
} from "./certificate.js";
import type { BastionSettings, SSHSettings } from "./config.js";
import { SocksError, socksConnect } from "./socks.js";

/** How long the SSH handshake (key exchange and authentication) may take (Packer: 1 minute). */
const HANDSHAKE_TIMEOUT_MS = 60_000;

/**
 * How long an open connection may stay silent before the server's greeting
 * (its version line, which an SSH server sends at once). A forwarded port —
 * QEMU's user networking, a NAT, a proxy — accepts connections before the
 * machine behind it is up and then says nothing; waiting the whole handshake
 * timeout there would delay the first login by a minute after the machine is
 * ready. Such an attempt is given up early and retried.
 */
const GREETING_TIMEOUT_MS = 8_000;

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
  keys: { key: string | Buffer | ParsedKey; source: string }[];
  /** The agent socket (SSH_AUTH_SOCK) when agent authentication is on. */
  agent?: string;
  /** The agent socket to forward to the machine's commands (SSH_AUTH_SOCK unless ssh_disable_agent_forwarding). */
  forwardAgent?: string;
}

/** Reads and checks the private keys the settings name; rejects with a configuration error. */
export async function loginAuth(settings: SSHSettings): Promise<LoginAuth> {
  const keys: LoginAuth["keys"] = [];
  if (settings.privateKeyFile !== "") {
    keys.push(
      await keyWithCertificate(
        settings.privateKeyFile,
        settings.certificateFile,
        "ssh_certificate_file",
      ),
    );
  }
  if (settings.privateKey !== undefined && settings.privateKey !== "") {
    checkKey(settings.privateKey, "the temporary key pair");
    keys.push({ key: settings.privateKey, source: "the temporary key pair" });
  }
  const forward = process.env.SSH_AUTH_SOCK ?? "";
  return {
    username: settings.username,
    password: settings.password,
    keys,
    ...(settings.agentAuth ? { agent: await agentSocket("ssh_agent_auth") } : {}),
    ...(!settings.disableAgentForwarding && forward !== "" ? { forwardAgent: forward } : {}),
  };
}

async function bastionAuth(b: BastionSettings): Promise<LoginAuth> {
  return {
    username: b.username,
    password: b.password,
    keys:
      b.privateKeyFile !== ""
        ? [
            await keyWithCertificate(
              b.privateKeyFile,
              b.certificateFile,
              "ssh_bastion_certificate_file",
            ),
          ]
        : [],
    ...(b.agentAuth ? { agent: await agentSocket("ssh_bastion_agent_auth") } : {}),
  };
}

/** The agent's socket from SSH_AUTH_SOCK, checked to exist; rejects with what to do. */
async function agentSocket(option: string): Promise<string> {
  const sock = process.env.SSH_AUTH_SOCK ?? "";
  if (sock === "") {
    throw new Error(
      `${option} is set, but SSH_AUTH_SOCK is not set: start an SSH agent (eval "$(ssh-agent)") and add the key to it with ssh-add`,
    );
  }
  let isSocket = false;
  try {
    isSocket = (await stat(sock)).isSocket();
  } catch (err) {
    throw new Error(
      `Cannot connect to the SSH agent at SSH_AUTH_SOCK=${sock}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such socket" : (err as Error).message}`,
      { cause: err },
    );
  }
  if (!isSocket) {
    throw new Error(`Cannot connect to the SSH agent at SSH_AUTH_SOCK=${sock}: not a socket`);
  }
  return sock;
}

/** A private key file, paired with its certificate when one is given. */
async function keyWithCertificate(
  keyFile: string,
  certFile: string,
  option: string,
): Promise<LoginAuth["keys"][number]> {
  const data = await readKey(keyFile);
  if (certFile === "") return { key: data, source: keyFile };
  let text: string;
  try {
    text = await readFile(certFile, "utf8");
  } catch (err) {
    throw new Error(`Error reading ${option} ${certFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const key = certifiedKey(parsePrivateKey(data, keyFile), text);
    return { key, source: `${keyFile} with the certificate ${certFile}` };
  } catch (err) {
    throw new Error(`${option} ${certFile} cannot be used: ${(err as Error).message}`, {
      cause: err,
    });
  }
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
  /** Time without a byte from the server after which the connection counts as dead (ssh_read_write_timeout); 0: none. */
  readWriteTimeoutMs?: number;
}

/** An open, authenticated connection and what must be closed with it (a bastion's). */
export interface OpenConnection {
  client: Client;
  /** Closes the connection (and the bastion's); safe to call more than once. */
  close(): void;
}

/** Why the client's connection ended, when kiln or ssh2 ended it (a timeout), for messages. */
const closeReasons = new WeakMap<Client, string>();

/** Why the connection of `client` was closed, when it was a timeout or a socket error. */
export function closeReason(client: Client): string | undefined {
  return closeReasons.get(client);
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
      if (!(err instanceof SSHConnectError)) throw err;
      throw new SSHConnectError(err.kind, `bastion host ${b.host}:${b.port}: ${err.message}`, {
        cause: err,
      });
    }
    sock = await forwardThrough(bastion.client, settings.host, settings.port).catch((err) => {
      bastion?.close();
      throw err;
    });
  } else if (settings.proxy !== undefined) {
    const p = settings.proxy;
    try {
      sock = await socksConnect(p, settings.host, settings.port, timeoutMs);
    } catch (err) {
      if (!(err instanceof SocksError)) throw socketError(err, target);
      throw new SSHConnectError(socketErrorKind(err.code), err.message, { cause: err });
    }
  } else {
    sock = await tcp(settings.host, settings.port, timeoutMs, opts.signal);
  }
  try {
    const client = await handshake(sock, auth, target, timeoutMs, opts);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      client.end();
      client.destroy();
      bastion?.close();
    };
    // A connection that ends by itself (a reboot) takes its bastion connection along.
    if (bastion !== undefined) client.once("close", close);
    return { client, close };
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

function socketErrorKind(code: string | undefined): FailureKind {
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ETIMEDOUT":
      return "timeout";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unreachable";
    default:
      return "other";
  }
}

/** A socket-level failure as a reason the user understands. */
function socketError(err: unknown, target: string): SSHConnectError {
  if (err instanceof SSHConnectError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
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
  | { type: "publickey"; key: string | Buffer | ParsedKey; source: string }
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
    const agentErrors: string[] = [];
    let describing = false;
    let allowed: string[] | undefined;
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) {
        clearTimeout(idleTimer);
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
      if (settled) {
        // After the handshake: remember why the connection ends, for the commands it cuts off.
        if (closeReasons.has(client)) return;
        if (err.level === "client-timeout") {
          closeReasons.set(
            client,
            `no answer from ${target} to ${KEEPALIVE_COUNT_MAX} keep-alive messages sent every ${describeMs(opts.keepAliveIntervalMs ?? 0)} (ssh_keep_alive_interval)`,
          );
        } else if (err.code !== undefined) {
          closeReasons.set(client, socketError(err, target).message);
        }
        return;
      }
      if (err.level === "agent") {
        // ssh2 goes on with the next method by itself; the reason shows if all fail.
        agentErrors.push(err.message);
        return;
      }
      if (err.level === "client-authentication") {
        const triedText = tried.length > 0 ? tried.join(", ") : "no method";
        const allows = allowed ? `; the server accepts ${allowed.join(", ")}` : "";
        const rejected = (agent: string) =>
          finish(
            new SSHConnectError(
              "auth",
              `authentication rejected for user "${auth.username}" (tried ${triedText}${allows}${agent})`,
              { cause: err },
            ),
          );
        if (auth.agent === undefined || !tried.includes("agent")) return rejected("");
        if (agentErrors.length > 0) {
          return rejected(`; the SSH agent failed: ${agentErrors.join("; ")}`);
        }
        // The connection closes meanwhile: the close must not settle first.
        describing = true;
        void describeAgent(auth.agent).then((text) => rejected(`; ${text}`));
        return;
      }
      const idle = closeReasons.get(client);
      if (idle !== undefined) {
        return finish(
          new SSHConnectError("timeout", `${idle} during the SSH handshake`, { cause: err }),
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
    client.on("close", () => {
      clearTimeout(idleTimer);
      if (describing) return;
      const idle = closeReasons.get(client);
      finish(
        idle !== undefined
          ? new SSHConnectError("timeout", `${idle} during the SSH handshake`)
          : new SSHConnectError("reset", `connection closed by ${target} during the SSH handshake`),
      );
    });
    const config: ConnectConfig = {
      sock: sock as ConnectConfig["sock"],
      username: auth.username,
      readyTimeout: timeoutMs,
      keepaliveInterval: Math.max(0, opts.keepAliveIntervalMs ?? 0),
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier: () => true,
      authHandler: authHandler as unknown as ConnectConfig["authHandler"],
    };
    // The agent ssh2 opens for forwarded agent connections (commands request forwarding themselves).
    if (auth.forwardAgent !== undefined) config.agent = auth.forwardAgent;
    client.connect(config);
    const greetingMs = Math.min(GREETING_TIMEOUT_MS, timeoutMs);
    const greetingTimer = setTimeout(
      () =>
        finish(
          new SSHConnectError(
            "timeout",
            `no SSH greeting from ${target} within ${describeMs(greetingMs)}: the port accepts connections but no SSH server answers yet`,
          ),
        ),
      greetingMs,
    );
    sock.once("data", () => clearTimeout(greetingTimer));
    sock.once("close", () => clearTimeout(greetingTimer));
    client.once("ready", () => clearTimeout(greetingTimer));
    if (auth.keys.some((k) => isCertifiedKey(k.key))) {
      try {
        enableCertificateAuth(client);
      } catch (err) {
        finish(new SSHConnectError("other", (err as Error).message, { cause: err }));
        return;
      }
    }
    const idleMs = opts.readWriteTimeoutMs ?? 0;
    if (idleMs > 0) {
      // ssh_read_write_timeout: the server sends nothing for that long (keep-alive answers count).
      const fire = () => {
        closeReasons.set(
          client,
          `no data from ${target} for ${describeMs(idleMs)} (ssh_read_write_timeout)`,
        );
        sock.destroy();
      };
      const arm = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(fire, idleMs);
      };
      // ssh2 has paused the socket and listens itself: this listener only watches.
      sock.on("data", arm);
      sock.once("close", () => clearTimeout(idleTimer));
      arm();
    }
  });
}

/** What the agent holds, for an authentication failure: "the SSH agent at X holds no keys". */
function describeAgent(sock: string): Promise<string> {
  return new Promise((resolve) => {
    new OpenSSHAgent(sock).getIdentities((err, keys) => {
      if (err) resolve(`the SSH agent at ${sock} failed: ${err.message}`);
      else if (!keys || keys.length === 0) resolve(`the SSH agent at ${sock} holds no keys`);
      else {
        const n = keys.length;
        resolve(`the SSH agent at ${sock} holds ${n} key${n === 1 ? "" : "s"}, none accepted`);
      }
    });
  });
}

/** Keep-alive messages left unanswered before the connection counts as dead. */
const KEEPALIVE_COUNT_MAX = 3;

function describeMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
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
