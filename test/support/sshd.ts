// A throwaway OpenSSH server on 127.0.0.1 for the SSH communicator's tests:
// its own host key, config, client key and authorized_keys in a temporary
// folder; stopped (and the folder removed) when the test file ends. Key
// logins are as the current user (root here). Password logins use a
// dedicated local account, created once with a fixed password, because sshd
// checks passwords against the system's user database.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { type RunningProcess, run, start } from "../../src/process/index.js";

export const SSHD = "/usr/sbin/sshd";
export const PASSWORD_USER = "kilnssh";
export const PASSWORD = "kiln-test-Pw-6";

export interface TestSshd {
  host: string;
  port: number;
  dir: string;
  /** The user key logins are for (the current user). */
  user: string;
  /** A private key authorized for `user`. */
  clientKey: string;
  clientPublicKey: string;
  /** Appends a line to `user`'s authorized_keys. */
  authorize(publicKeyLine: string, user?: string): void;
  /** Stops the server and ends its open sessions (as a machine going down would). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** What sshd logged so far (LogLevel INFO: one "Accepted ..." line per login), oldest first. */
  log(): string[];
}

export interface SshdOptions {
  /** sshd_config lines placed before the defaults (sshd keeps the first value of a keyword). */
  config?: string[];
  /** Also read ~/.ssh/authorized_keys of the user logging in. */
  homeAuthorizedKeys?: boolean;
}

/** The processes below `pid` (children first found first), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {}
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Makes sure the password account exists (root only); concurrent test files may race here. */
async function ensurePasswordUser(): Promise<void> {
  const exists = async () => (await run("id", [PASSWORD_USER], { reject: false })).exitCode === 0;
  if (await exists()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`password tests need the account ${PASSWORD_USER}: run them as root`);
  }
  await run("useradd", ["-m", "-s", "/bin/sh", PASSWORD_USER], { reject: false });
  if (!(await exists())) throw new Error(`could not create the account ${PASSWORD_USER}`);
  for (let i = 0; i < 5; i++) {
    const r = await run("chpasswd", [], { input: `${PASSWORD_USER}:${PASSWORD}\n`, reject: false });
    if (r.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`could not set the password of ${PASSWORD_USER}`);
}

/** Starts sshd; it is stopped when the calling test file is done (call it at the top level of the file). */
export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  await ensurePasswordUser();
  const dir = mkdtempSync(join(tmpdir(), "kiln-sshd-"));
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_ed25519")]);
  await run("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "kiln-test",
    "-f",
    join(dir, "client"),
  ]);
  const user = userInfo().username;
  const clientPublicKey = readFileSync(join(dir, "client.pub"), "utf8").trim();
  const authorize = (line: string, who = user) => {
    writeFileSync(join(dir, `authorized_keys_${who}`), `${line}\n`, { flag: "a", mode: 0o644 });
  };
  authorize(clientPublicKey);
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      ...(opts.config ?? []),
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_ed25519")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys_%u")}${opts.homeAuthorizedKeys ? " .ssh/authorized_keys" : ""}`,
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin yes",
      "UsePAM no",
      "StrictModes no",
      "MaxStartups 100",
      "MaxSessions 100",
      "AllowTcpForwarding yes",
      "GatewayPorts no",
      "LogLevel INFO",
      "Subsystem sftp /usr/lib/openssh/sftp-server",
      "",
    ].join("\n"),
  );

  let proc: RunningProcess | undefined;
  const logLines: string[] = [];
  const launch = async () => {
    let ready: () => void = () => {};
    const listening = new Promise<void>((r) => {
      ready = r;
    });
    proc = start(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], {
      onStderr: (line) => {
        logLines.push(line);
        if (line.includes("Server listening on")) ready();
      },
      killGraceMs: 2000,
    });
    const failed = proc.wait().then(
      (r) => {
        throw new Error(`sshd exited: ${r.stderr}`);
      },
      (err: Error) => {
        throw err;
      },
    );
    failed.catch(() => {});
    await Promise.race([listening, failed]);
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (p === undefined) return;
    // Like a machine going down: the sessions this sshd started end with it.
    if (p.pid !== undefined) {
      for (const pid of descendants(p.pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
    await p.stop({ timeoutMs: 2000 }).catch(() => {});
  };
  await launch();
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    host: "127.0.0.1",
    port,
    dir,
    user,
    clientKey: join(dir, "client"),
    clientPublicKey,
    authorize,
    stop,
    start: launch,
    log: () => [...logLines],
  };
}
