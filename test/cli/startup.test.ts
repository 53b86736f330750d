import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type TestContext, test } from "node:test";
import { kilnBin } from "../support/cli.js";

// How bin/kiln.js picks a build and starts it: the bundle (dist/kiln.cjs) through a V8
// code cache kept per command, else the compiled modules (dist/cli/main.js). Each test
// copies the launcher into a scratch package whose builds are small hand-written files
// that say which one ran.

// Sloppy mode on purpose: the launcher runs the bundle strict, as its ES modules were.
const BUNDLE = `exports.run = async function run() {
  const args = process.argv.slice(2);
  const where = require("node:path").basename(__filename);
  const mode = (function () { return this === undefined; })() ? "strict" : "sloppy";
  process.stdout.write("bundle " + args.join(" ") + " from " + where + ", " + mode + "\\n");
  process.exitCode = args[0] === "fail" ? 3 : 0;
};
`;

const MODULES = `export async function run() {
  process.stdout.write("modules " + process.argv.slice(2).join(" ") + "\\n");
  process.exitCode = 0;
}
`;

interface Scratch {
  root: string;
  cache: string;
  bundle: string;
  modules: string;
}

function scratchPackage(t: TestContext, builds: { bundle?: boolean; modules?: boolean }): Scratch {
  const root = mkdtempSync(join(tmpdir(), "kiln-startup-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "dist", "cli"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  copyFileSync(kilnBin, join(root, "bin", "kiln.js"));
  const binPackage = join(dirname(kilnBin), "package.json"); // a module type for bin/ alone
  if (existsSync(binPackage)) copyFileSync(binPackage, join(root, "bin", "package.json"));
  const s = {
    root,
    cache: join(root, "cache"),
    bundle: join(root, "dist", "kiln.cjs"),
    modules: join(root, "dist", "cli", "main.js"),
  };
  if (builds.bundle) writeFileSync(s.bundle, BUNDLE);
  if (builds.modules) writeFileSync(s.modules, MODULES);
  return s;
}

function start(s: Scratch, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.KILN_FROM_SOURCE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  const r = spawnSync(process.execPath, [join(s.root, "bin", "kiln.js"), ...args], {
    encoding: "utf8",
    env: { ...base, NODE_COMPILE_CACHE: s.cache, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cacheFiles(dir: string, command: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(`kiln-${command}-`)).sort();
}

/** Inode and modification time: changes when the launcher rewrites the file. */
function identity(file: string): string {
  const st = statSync(file);
  return `${st.ino}/${st.mtimeMs}`;
}

test("the bundle runs as a CommonJS module and keeps one code cache per command", (t) => {
  const s = scratchPackage(t, { bundle: true });
  const first = start(s, ["hello", "a", "b"]);
  assert.deepEqual(first, {
    status: 0,
    stdout: "bundle hello a b from kiln.cjs, strict\n",
    stderr: "",
  });
  const [hello] = cacheFiles(s.cache, "hello");
  assert.ok(hello, "no cache written for the hello command");
  assert.match(hello, /\.cache$/);
  const written = identity(join(s.cache, hello));

  // A second run takes the cache as it is: V8 accepted it, so it is not written again.
  assert.equal(start(s, ["hello", "c"]).stdout, "bundle hello c from kiln.cjs, strict\n");
  assert.deepEqual(cacheFiles(s.cache, "hello"), [hello]);
  assert.equal(identity(join(s.cache, hello)), written);

  assert.equal(start(s, ["world"]).status, 0);
  assert.equal(cacheFiles(s.cache, "world").length, 1);
  assert.equal(readdirSync(s.cache).length, 2);
});

test("a failed run writes no cache; an unreadable cache is replaced", (t) => {
  const s = scratchPackage(t, { bundle: true });
  const failed = start(s, ["fail"]);
  assert.equal(failed.status, 3);
  assert.equal(failed.stdout, "bundle fail from kiln.cjs, strict\n");
  assert.deepEqual(cacheFiles(s.cache, "fail"), []);

  assert.equal(start(s, ["hello"]).status, 0);
  const [hello] = cacheFiles(s.cache, "hello");
  assert.ok(hello);
  const file = join(s.cache, hello);
  writeFileSync(file, "not a code cache");
  assert.equal(start(s, ["hello"]).stdout, "bundle hello from kiln.cjs, strict\n");
  assert.notEqual(readFileSync(file, "latin1"), "not a code cache");
});

test("a rebuilt bundle gets a new cache; the old one and debris are removed", (t) => {
  const s = scratchPackage(t, { bundle: true });
  start(s, ["hello"]);
  const [before] = cacheFiles(s.cache, "hello");
  assert.ok(before);
  writeFileSync(join(s.cache, `${before}.999.tmp`), "left by a crashed run");
  writeFileSync(s.bundle, `${BUNDLE}// rebuilt\n`);
  const later = new Date(Date.now() + 5000);
  utimesSync(s.bundle, later, later);
  assert.equal(start(s, ["hello"]).stdout, "bundle hello from kiln.cjs, strict\n");
  const after = cacheFiles(s.cache, "hello");
  assert.equal(after.length, 1);
  assert.notEqual(after[0], before);
});

test("the cache goes to XDG_CACHE_HOME/kiln without NODE_COMPILE_CACHE, nowhere when disabled", (t) => {
  const s = scratchPackage(t, { bundle: true });
  const xdg = join(s.root, "xdg");
  assert.equal(start(s, ["hello"], { NODE_COMPILE_CACHE: "", XDG_CACHE_HOME: xdg }).status, 0);
  assert.equal(cacheFiles(join(xdg, "kiln"), "hello").length, 1);

  const off = start(s, ["hello"], { NODE_DISABLE_COMPILE_CACHE: "1" });
  assert.equal(off.stdout, "bundle hello from kiln.cjs, strict\n");
  assert.deepEqual(cacheFiles(s.cache, "hello"), []);
});

test("compiled modules run when there is no bundle or when they are newer than it", (t) => {
  const s = scratchPackage(t, { modules: true });
  assert.deepEqual(start(s, ["version"]), { status: 0, stdout: "modules version\n", stderr: "" });

  writeFileSync(s.bundle, BUNDLE);
  const older = new Date(Date.now() - 60_000);
  utimesSync(s.bundle, older, older);
  assert.equal(start(s, ["version"]).stdout, "modules version\n");

  const newer = new Date(Date.now() + 60_000);
  utimesSync(s.bundle, newer, newer);
  assert.equal(start(s, ["version"]).stdout, "bundle version from kiln.cjs, strict\n");

  rmSync(s.modules);
  assert.equal(start(s, ["version"]).stdout, "bundle version from kiln.cjs, strict\n");
});
