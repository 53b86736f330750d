#!/usr/bin/env node
// Starts kiln from the fastest build present:
//  1. dist/kiln.cjs, the whole CLI bundled into one CommonJS file, run through a V8 code
//     cache kept per command, so that later runs skip parsing and compiling the code that
//     command ran before (Node 20 has no compile cache of its own);
//  2. dist/cli/main.js, the compiled modules, when there is no bundle or they are newer;
//  3. the TypeScript sources through tsx, when there is no build or KILN_FROM_SOURCE=1.
// Built-ins are loaded with require: cheaper at start-up than ES imports of them.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const fs = require("node:fs");
const path = require("node:path");
const { fileURLToPath } = require("node:url");

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const bundle = fs.statSync(path.join(dist, "kiln.cjs"), { throwIfNoEntry: false });
const modules = fs.statSync(path.join(dist, "cli", "main.js"), { throwIfNoEntry: false });

if (process.env.KILN_FROM_SOURCE || (!bundle && !modules)) {
  const { register } = await import("tsx/esm/api");
  register();
  const { run } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
  await run();
} else if (bundle && (!modules || bundle.mtimeMs >= modules.mtimeMs)) {
  await runBundle(path.join(dist, "kiln.cjs"), bundle);
} else {
  require("node:module").enableCompileCache?.(); // Node 22.1+
  const { run } = await import(new URL("../dist/cli/main.js", import.meta.url).href);
  await run();
}

/** Runs the bundle as Node runs a CommonJS module, but compiled through a code cache. */
async function runBundle(file, stats) {
  const vm = require("node:vm");
  const source = fs.readFileSync(file, "utf8");
  let cacheFile;
  let cachedData;
  try {
    cacheFile = codeCachePath(file, stats);
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet (this run makes one), or nowhere to keep one.
  }
  // Strict, as the ES modules it was bundled from are.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {"use strict";${source}\n})`,
    {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  await module.exports.run();
  // Made after the run, the cache holds the functions the command compiled. Failed runs
  // (unknown commands, usage errors) are not worth a file.
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected) && !process.exitCode) {
    writeCodeCache(cacheFile, script.createCachedData());
  }
}

/**
 * Where the code cache of this bundle for this command lives: in $NODE_COMPILE_CACHE if
 * set, else in the user's cache directory; nowhere with NODE_DISABLE_COMPILE_CACHE (the
 * variables Node 22 reads for its own cache). The name changes with the bundle, Node and
 * V8 flags, and tells apart the caches of two kiln installations.
 */
function codeCachePath(file, stats) {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  let dir = env.NODE_COMPILE_CACHE;
  if (!dir) {
    const home = require("node:os").homedir();
    if (!env.XDG_CACHE_HOME && !home) return undefined;
    dir = path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "kiln");
  }
  const arg = process.argv[2] ?? "";
  const command = /^[a-z][a-z0-9-]{0,31}$/.test(arg) ? arg : "other";
  const install = fnv1a([file, process.execArgv.join(" "), env.NODE_OPTIONS ?? ""].join("\0"));
  const build = `${stats.size}-${Math.trunc(stats.mtimeMs * 1000)}-${process.version}-${process.arch}`;
  return path.join(dir, `kiln-${command}-${install}.${build}.cache`);
}

/** FNV-1a hash of a string, as 8 hex digits. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Writes a cache file atomically, then drops the files it replaces (other builds, debris). */
function writeCodeCache(cacheFile, data) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const dir = path.dirname(cacheFile);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cacheFile);
    const name = path.basename(cacheFile);
    const prefix = name.slice(0, name.indexOf(".") + 1); // "kiln-<command>-<install>."
    for (const other of fs.readdirSync(dir)) {
      if (other !== name && other.startsWith(prefix)) {
        fs.rmSync(path.join(dir, other), { force: true });
      }
    }
  } catch {
    // An unwritable cache directory only costs speed.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {}
  }
}
