import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Host, type HostOptions, host } from "../../src/host/index.js";

// Host specifics for every platform, computed from a given environment so
// that Windows and macOS answers are checked on Linux too. Directory rules
// follow Packer 1.9 (packer-plugin-sdk pathing/ and packer/cache*.go).

const scratch = mkdtempSync(join(tmpdir(), "kiln-host-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const linux = (env: NodeJS.ProcessEnv, more: HostOptions = {}) =>
  new Host({ platform: "linux", env, cwd: "/work/proj", homeDir: "/nonexistent-home", ...more });
const darwin = (env: NodeJS.ProcessEnv) =>
  new Host({ platform: "darwin", env, cwd: "/Users/me/proj", homeDir: "/Users/fallback" });
const windows = (env: NodeJS.ProcessEnv) =>
  new Host({ platform: "win32", env, cwd: "C:\\proj", homeDir: "C:\\Users\\fallback" });

describe("script shell", () => {
  test("POSIX hosts run scripts with /bin/sh -c", () => {
    for (const h of [linux({}), darwin({})]) {
      assert.deepEqual(h.scriptShell(), { command: "/bin/sh", args: ["-c"] });
      assert.deepEqual(h.shellCommand("echo hi"), { command: "/bin/sh", args: ["-c", "echo hi"] });
    }
  });

  test("Windows runs scripts with cmd /C", () => {
    assert.deepEqual(windows({}).shellCommand("dir"), { command: "cmd", args: ["/C", "dir"] });
  });

  test("path conventions", () => {
    const l = linux({});
    const w = windows({});
    assert.equal(l.pathListSeparator, ":");
    assert.equal(w.pathListSeparator, ";");
    assert.equal(l.nullDevice, "/dev/null");
    assert.equal(w.nullDevice, "NUL");
    assert.equal(l.path.join("a", "b"), "a/b");
    assert.equal(w.path.join("a", "b"), "a\\b");
    assert.equal(w.toSlash("C:\\a\\b"), "C:/a/b");
    assert.equal(w.fromSlash("C:/a/b"), "C:\\a\\b");
    assert.equal(l.toSlash("a\\b"), "a\\b", "a backslash is an ordinary character on POSIX");
    assert.equal(l.fromSlash("a/b"), "a/b");
  });
});

describe("environment", () => {
  test("an empty variable counts as unset", () => {
    assert.equal(linux({ FOO: "" }).getenv("FOO"), undefined);
    assert.equal(linux({ FOO: "x" }).getenv("FOO"), "x");
  });

  test("names ignore case on Windows only", () => {
    assert.equal(windows({ Path: "C:\\bin" }).getenv("PATH"), "C:\\bin");
    assert.equal(linux({ Path: "/bin" }).getenv("PATH"), undefined);
  });

  test("the home directory comes from HOME, USERPROFILE on Windows, else the account", () => {
    assert.equal(linux({ HOME: "/home/me" }).homeDir(), "/home/me");
    assert.equal(linux({}).homeDir(), "/nonexistent-home");
    assert.equal(windows({ USERPROFILE: "C:\\Users\\me" }).homeDir(), "C:\\Users\\me");
    assert.equal(windows({}).homeDir(), "C:\\Users\\fallback");
    // For another platform than the running one there is no account to fall back on.
    const other = process.platform === "win32" ? "linux" : "win32";
    assert.throws(() => new Host({ platform: other, env: {} }).homeDir(), /HOME is not set/);
  });

  test("~ expands to the home directory", () => {
    const h = linux({ HOME: "/home/me" });
    assert.equal(h.expandHome("~"), "/home/me");
    assert.equal(h.expandHome("~/iso/a.iso"), "/home/me/iso/a.iso");
    assert.equal(h.expandHome("~bob/x"), "~bob/x");
    assert.equal(h.expandHome("/abs/~/x"), "/abs/~/x");
    assert.equal(windows({ USERPROFILE: "C:\\Users\\me" }).expandHome("~\\x"), "C:\\Users\\me\\x");
  });
});

describe("temporary directory", () => {
  test("TMPDIR, else /tmp (trailing separators dropped)", () => {
    assert.equal(linux({ TMPDIR: "/var/tmp/" }).tempDir(), "/var/tmp");
    assert.equal(linux({ TMPDIR: "/" }).tempDir(), "/");
    assert.equal(linux({}).tempDir(), "/tmp");
    assert.equal(darwin({ TMPDIR: "/var/folders/xy/T/" }).tempDir(), "/var/folders/xy/T");
  });

  test("Windows: TMP, TEMP, USERPROFILE, then the Windows directory", () => {
    assert.equal(windows({ TMP: "D:\\t\\", TEMP: "E:\\t" }).tempDir(), "D:\\t");
    assert.equal(windows({ TEMP: "E:\\t" }).tempDir(), "E:\\t");
    assert.equal(windows({ USERPROFILE: "C:\\Users\\me" }).tempDir(), "C:\\Users\\me");
    assert.equal(windows({ SystemRoot: "C:\\Win" }).tempDir(), "C:\\Win");
    assert.equal(windows({}).tempDir(), "C:\\Windows");
  });

  test("makeTempDir creates a fresh directory there", async () => {
    const h = linux({ TMPDIR: scratch });
    const a = await h.makeTempDir("kiln-build-");
    const b = await h.makeTempDir("kiln-build-");
    assert.notEqual(a, b);
    for (const d of [a, b]) {
      assert.ok(d.startsWith(join(scratch, "kiln-build-")), d);
      assert.ok(statSync(d).isDirectory());
    }
  });
});

describe("cache directory", () => {
  test("PACKER_CACHE_DIR wins, relative to the working directory", () => {
    const env = { PACKER_CACHE_DIR: "cache", XDG_CACHE_HOME: "/xdg", HOME: "/home/me" };
    assert.equal(linux(env).cacheDir(), "/work/proj/cache");
    assert.equal(linux({ ...env, PACKER_CACHE_DIR: "/srv/c" }).cacheDir(), "/srv/c");
    assert.equal(windows({ PACKER_CACHE_DIR: "c" }).cacheDir(), "C:\\proj\\c");
    assert.equal(windows({ PACKER_CACHE_DIR: "D:\\c" }).cacheDir(), "D:\\c");
  });

  test("then $XDG_CACHE_HOME/packer, then ~/.cache/packer (macOS too, as Packer)", () => {
    assert.equal(linux({ XDG_CACHE_HOME: "/xdg", HOME: "/home/me" }).cacheDir(), "/xdg/packer");
    assert.equal(linux({ HOME: "/home/me" }).cacheDir(), "/home/me/.cache/packer");
    assert.equal(darwin({ HOME: "/Users/me" }).cacheDir(), "/Users/me/.cache/packer");
    assert.equal(
      linux({ HOME: "/home/me" }).cachePath("iso", "a.iso"),
      "/home/me/.cache/packer/iso/a.iso",
    );
  });

  test("Windows defaults to packer_cache in the working directory", () => {
    assert.equal(windows({ LOCALAPPDATA: "C:\\L" }).cacheDir(), "C:\\proj\\packer_cache");
  });
});

describe("config directory", () => {
  const home = join(scratch, "home");
  const legacyHome = join(scratch, "legacy-home");
  mkdirSync(home, { recursive: true });
  mkdirSync(join(legacyHome, ".packer.d"), { recursive: true });

  test("$PACKER_CONFIG_DIR/.packer.d wins", () => {
    const env = { PACKER_CONFIG_DIR: "/cfg", XDG_CONFIG_HOME: "/xdg", HOME: legacyHome };
    assert.equal(linux(env).configDir(), "/cfg/.packer.d");
  });

  test("an existing ~/.packer.d is kept", () => {
    const env = { XDG_CONFIG_HOME: "/xdg", HOME: legacyHome };
    assert.equal(linux(env).configDir(), join(legacyHome, ".packer.d"));
  });

  test("else $XDG_CONFIG_HOME/packer, else ~/.config/packer", () => {
    assert.equal(linux({ XDG_CONFIG_HOME: "/xdg", HOME: home }).configDir(), "/xdg/packer");
    assert.equal(linux({ HOME: home }).configDir(), join(home, ".config", "packer"));
  });

  test("Windows: %PACKER_CONFIG_DIR%\\packer.d, else %APPDATA%\\packer.d", () => {
    assert.equal(windows({ PACKER_CONFIG_DIR: "D:\\cfg" }).configDir(), "D:\\cfg\\packer.d");
    assert.equal(
      windows({ APPDATA: "C:\\Users\\me\\AppData\\Roaming" }).configDir(),
      "C:\\Users\\me\\AppData\\Roaming\\packer.d",
    );
    assert.equal(windows({ USERPROFILE: "C:\\Users\\me" }).configDir(), "C:\\Users\\me\\packer.d");
  });

  test("the config file: PACKER_CONFIG, else ~/.packerconfig or %APPDATA%\\packer.config", () => {
    assert.equal(linux({ PACKER_CONFIG: "/etc/p.json", HOME: home }).configFile(), "/etc/p.json");
    assert.equal(linux({ HOME: "/home/me" }).configFile(), "/home/me/.packerconfig");
    assert.equal(windows({ APPDATA: "C:\\A" }).configFile(), "C:\\A\\packer.config");
  });
});

describe("stopping children", () => {
  test("POSIX signals the child's process group when it has one", () => {
    const h = linux({});
    assert.equal(h.ownProcessGroups, true);
    assert.deepEqual(h.killAction(1234, "SIGTERM"), {
      kind: "signal",
      pid: -1234,
      signal: "SIGTERM",
    });
    assert.deepEqual(h.killAction(1234, "SIGINT", false), {
      kind: "signal",
      pid: 1234,
      signal: "SIGINT",
    });
  });

  test("Windows asks taskkill to end the tree, forcing it for SIGKILL", () => {
    const h = windows({});
    assert.equal(h.ownProcessGroups, false);
    assert.deepEqual(h.killAction(42, "SIGTERM"), {
      kind: "command",
      command: "taskkill",
      args: ["/PID", "42", "/T"],
    });
    assert.deepEqual(h.killAction(42, "SIGKILL"), {
      kind: "command",
      command: "taskkill",
      args: ["/PID", "42", "/T", "/F"],
    });
  });
});

test("the current host reads the live environment", () => {
  assert.equal(host.platform, process.platform);
  assert.equal(host.isWindows, process.platform === "win32");
  const saved = process.env.PACKER_CACHE_DIR;
  try {
    process.env.PACKER_CACHE_DIR = join(scratch, "live-cache");
    assert.equal(host.cacheDir(), join(scratch, "live-cache"));
  } finally {
    if (saved === undefined) delete process.env.PACKER_CACHE_DIR;
    else process.env.PACKER_CACHE_DIR = saved;
  }
});
