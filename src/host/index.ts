// Everything that differs between the hosts kiln runs on (Linux, macOS,
// Windows): the shell that runs scripts, where temporary files, the download
// cache and the configuration live, and how a child process is interrupted or
// killed. The rest of kiln asks `host` instead of testing `process.platform`.
//
// Directories follow Packer 1.9 so that kiln and Packer share a cache and a
// config directory on the same machine.

import { statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { homedir } from "node:os";
import { type PlatformPath, posix, win32 } from "node:path";

export interface HostOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Used when the environment names no home directory. */
  homeDir?: string;
  /** Relative paths in the environment (PACKER_CACHE_DIR) resolve against it (default: the current one). */
  cwd?: string;
}

/** A program and the arguments that come before the script text, e.g. `/bin/sh -c`. */
export interface ShellCommand {
  command: string;
  args: string[];
}

/** How to deliver a signal to a child and everything it started. */
export type KillAction =
  | { kind: "signal"; pid: number; signal: NodeJS.Signals }
  | { kind: "command"; command: string; args: string[] };

export class Host {
  readonly platform: NodeJS.Platform;
  readonly isWindows: boolean;
  /** Path functions for this host's separator rules. */
  readonly path: PlatformPath;
  /** Separator between entries of PATH-like variables. */
  readonly pathListSeparator: ":" | ";";
  /** The file that discards what is written to it. */
  readonly nullDevice: string;
  /**
   * Whether each child gets its own process group, so that a signal reaches
   * the programs it started too, and a Ctrl-C in the terminal reaches only
   * kiln, which then decides how to stop its children.
   */
  readonly ownProcessGroups: boolean;
  private readonly env: NodeJS.ProcessEnv;
  private readonly fallbackHome: string | undefined;
  private readonly cwdOverride: string | undefined;

  constructor(opts: HostOptions = {}) {
    this.platform = opts.platform ?? process.platform;
    this.isWindows = this.platform === "win32";
    this.path = this.isWindows ? win32 : posix;
    this.pathListSeparator = this.isWindows ? ";" : ":";
    this.nullDevice = this.isWindows ? "NUL" : "/dev/null";
    this.ownProcessGroups = !this.isWindows;
    this.env = opts.env ?? process.env;
    this.fallbackHome =
      opts.homeDir ?? (this.platform === process.platform ? safeHomedir() : undefined);
    this.cwdOverride = opts.cwd;
  }

  /** An environment variable, or undefined when it is unset or empty (names ignore case on Windows). */
  getenv(name: string): string | undefined {
    let value = this.env[name];
    if (value === undefined && this.isWindows) {
      const upper = name.toUpperCase();
      const key = Object.keys(this.env).find((k) => k.toUpperCase() === upper);
      if (key !== undefined) value = this.env[key];
    }
    return value === "" ? undefined : value;
  }

  private cwd(): string {
    return this.cwdOverride ?? process.cwd();
  }

  /** The user's home directory: HOME (USERPROFILE on Windows), else the account's. */
  homeDir(): string {
    const fromEnv = this.isWindows
      ? (this.getenv("USERPROFILE") ?? this.getenv("HOME"))
      : this.getenv("HOME");
    const home = fromEnv ?? this.fallbackHome;
    if (home === undefined) throw new Error("cannot determine the home directory: HOME is not set");
    return home;
  }

  /** The shell that runs a script given as text: `/bin/sh -c`, or `cmd /C` on Windows. */
  scriptShell(): ShellCommand {
    return this.isWindows ? { command: "cmd", args: ["/C"] } : { command: "/bin/sh", args: ["-c"] };
  }

  /** The program and arguments that run `script` with the script shell. */
  shellCommand(script: string): ShellCommand {
    const shell = this.scriptShell();
    return { command: shell.command, args: [...shell.args, script] };
  }

  /**
   * The system's directory for temporary files: TMPDIR or /tmp; on Windows
   * TMP, TEMP, USERPROFILE or the Windows directory (as Go's os.TempDir).
   */
  tempDir(): string {
    const dir = this.isWindows
      ? (this.getenv("TMP") ??
        this.getenv("TEMP") ??
        this.getenv("USERPROFILE") ??
        this.getenv("SystemRoot") ??
        this.getenv("windir") ??
        "C:\\Windows")
      : (this.getenv("TMPDIR") ?? "/tmp");
    return trimTrailingSeparators(dir, this.path);
  }

  /** Creates a new, empty directory under the temporary directory; its name starts with `prefix`. */
  makeTempDir(prefix = "kiln-"): Promise<string> {
    return mkdtemp(this.path.join(this.tempDir(), prefix));
  }

  /**
   * Where downloads (ISOs, images) are cached: PACKER_CACHE_DIR (relative to
   * the working directory), else $XDG_CACHE_HOME/packer or ~/.cache/packer
   * (Linux and macOS alike, as Packer); on Windows ./packer_cache.
   */
  cacheDir(): string {
    const fromEnv = this.getenv("PACKER_CACHE_DIR");
    if (fromEnv !== undefined) return this.path.resolve(this.cwd(), fromEnv);
    if (this.isWindows) return this.path.resolve(this.cwd(), "packer_cache");
    const xdg = this.getenv("XDG_CACHE_HOME");
    if (xdg !== undefined) return this.path.join(xdg, "packer");
    return this.path.join(this.homeDir(), ".cache", "packer");
  }

  /** A path inside the cache directory. */
  cachePath(...parts: string[]): string {
    return this.path.join(this.cacheDir(), ...parts);
  }

  /**
   * Packer's configuration directory (plugins, internal files):
   * $PACKER_CONFIG_DIR/.packer.d, else an existing ~/.packer.d, else
   * $XDG_CONFIG_HOME/packer or ~/.config/packer. On Windows
   * %PACKER_CONFIG_DIR%\packer.d, else %APPDATA%\packer.d.
   */
  configDir(): string {
    const fromEnv = this.getenv("PACKER_CONFIG_DIR");
    if (this.isWindows) {
      if (fromEnv !== undefined) return this.path.join(fromEnv, "packer.d");
      return this.path.join(this.getenv("APPDATA") ?? this.homeDir(), "packer.d");
    }
    if (fromEnv !== undefined) return this.path.join(fromEnv, ".packer.d");
    const home = this.homeDir();
    const legacy = this.path.join(home, ".packer.d");
    if (isDirectory(legacy)) return legacy;
    const xdg = this.getenv("XDG_CONFIG_HOME");
    if (xdg !== undefined) return this.path.join(xdg, "packer");
    return this.path.join(home, ".config", "packer");
  }

  /** Packer's (deprecated) JSON config file: PACKER_CONFIG, else ~/.packerconfig or %APPDATA%\packer.config. */
  configFile(): string {
    const fromEnv = this.getenv("PACKER_CONFIG");
    if (fromEnv !== undefined) return fromEnv;
    if (this.isWindows) {
      return this.path.join(this.getenv("APPDATA") ?? this.homeDir(), "packer.config");
    }
    return this.path.join(this.homeDir(), ".packerconfig");
  }

  /** Replaces a leading `~` (the current user's home) in a path; `~user` is left alone. */
  expandHome(p: string): string {
    if (p === "~") return this.homeDir();
    if (p.startsWith("~/") || (this.isWindows && p.startsWith("~\\"))) {
      return this.path.join(this.homeDir(), p.slice(2));
    }
    return p;
  }

  /** A path with this host's separators replaced by `/` (Go's filepath.ToSlash). */
  toSlash(p: string): string {
    return this.isWindows ? p.replaceAll("\\", "/") : p;
  }

  /** A `/`-separated path with this host's separators (Go's filepath.FromSlash). */
  fromSlash(p: string): string {
    return this.isWindows ? p.replaceAll("/", "\\") : p;
  }

  /**
   * How to send `signal` to the child `pid` and the programs it started: on
   * POSIX the signal goes to the child's process group (when it has its own);
   * Windows has no signals, so `taskkill /T` asks the tree to close, and
   * SIGKILL becomes `taskkill /T /F`.
   */
  killAction(pid: number, signal: NodeJS.Signals, ownGroup = this.ownProcessGroups): KillAction {
    if (this.isWindows) {
      const args = ["/PID", String(pid), "/T"];
      if (signal === "SIGKILL") args.push("/F");
      return { kind: "command", command: "taskkill", args };
    }
    return { kind: "signal", pid: ownGroup ? -pid : pid, signal };
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function trimTrailingSeparators(dir: string, path: PlatformPath): string {
  const root = path.parse(dir).root;
  let end = dir.length;
  while (end > root.length && (dir[end - 1] === "/" || dir[end - 1] === path.sep)) end--;
  return dir.slice(0, end);
}

/** The host kiln is running on. */
export const host = new Host();
