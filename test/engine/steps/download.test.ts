import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { ERROR, StateBag } from "../../../src/engine/multistep/index.js";
import {
  acquireLock,
  type DownloadOptions,
  downloadTarget,
  findChecksum,
  ISO_PATH,
  parseChecksumSpec,
  parseSource,
  SOURCE_IMAGE_URL,
  StepDownload,
} from "../../../src/engine/steps/download.js";
import { start } from "../../../src/process/index.js";
import { MachineReadableUi } from "../../../src/ui/index.js";
import { formatBytes, trackProgress } from "../../../src/ui/progress.js";
import { RecordingUi, scratchDir, testBuildContext } from "../../support/engine.js";

const IMAGE = randomBytes(300 * 1024);
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer | string) => createHash("md5").update(b).digest("hex");
const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");
const IMAGE_SHA256 = sha256(IMAGE);
const ZEROS = "0".repeat(64);

/** Requests the test server saw, by path. */
const hits = new Map<string, number>();
let server: Server;
let base: string;

function hitCount(path: string): number {
  return hits.get(path) ?? 0;
}

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, hitCount(path) + 1);
    switch (path) {
      case "/image.iso":
      case "/mirror/image.iso":
        res.writeHead(200, { "Content-Length": IMAGE.length }).end(IMAGE);
        return;
      case "/moved.iso":
        res.writeHead(302, { Location: "/image.iso" }).end();
        return;
      case "/slow.iso": {
        // 10 chunks, 40 ms apart: long enough to overlap or cancel.
        res.writeHead(200, { "Content-Length": IMAGE.length });
        const chunk = IMAGE.length / 10;
        let i = 0;
        const next = () => {
          if (res.destroyed) return;
          res.write(IMAGE.subarray(i * chunk, (i + 1) * chunk));
          if (++i === 10) res.end();
          else setTimeout(next, 40);
        };
        next();
        return;
      }
      case "/short.iso":
        // Promises more than it sends.
        res.writeHead(200, { "Content-Length": IMAGE.length + 10 });
        res.write(IMAGE, () => res.destroy());
        return;
      case "/SHA256SUMS":
        res.end(`${ZEROS}  other.iso\n${IMAGE_SHA256}  image.iso\n`);
        return;
      case "/bsd.sums":
        res.end(`SHA256 (other.iso) = ${ZEROS}\nSHA256 (image.iso) = ${IMAGE_SHA256}\n`);
        return;
      default:
        res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const caches = scratchDir("kiln-download-cache-");
const templateDir = scratchDir("kiln-download-tpl-");
const savedCacheDir = process.env.PACKER_CACHE_DIR;
/** The cache directory of the running test: each test gets its own (beforeEach). */
let cache = "";
let cacheCount = 0;
beforeEach(() => {
  cache = join(caches, String(++cacheCount));
  process.env.PACKER_CACHE_DIR = cache;
  mkdirSync(cache);
});
after(() => {
  if (savedCacheDir === undefined) delete process.env.PACKER_CACHE_DIR;
  else process.env.PACKER_CACHE_DIR = savedCacheDir;
});

writeFileSync(join(templateDir, "local.iso"), IMAGE);
writeFileSync(join(templateDir, "SHA256SUMS"), `${IMAGE_SHA256} *local.iso\n`);

interface Outcome {
  action: string;
  state: StateBag;
  ui: RecordingUi;
  error?: Error;
}

async function download(
  opts: Partial<DownloadOptions>,
  signal?: AbortSignal,
  ui = new RecordingUi(),
): Promise<Outcome> {
  const ctx = testBuildContext({ ui });
  const step = new StepDownload(
    ctx,
    {
      urls: [],
      checksum: `sha256:${IMAGE_SHA256}`,
      extension: "iso",
      description: "ISO",
      baseDir: templateDir,
      progress: { quiet: true },
      ...opts,
    },
    ISO_PATH,
  );
  const state = new StateBag();
  const action = await step.run(state, signal ?? new AbortController().signal);
  const error = state.get(ERROR);
  return error ? { action, state, ui, error } : { action, state, ui };
}

/** Files left in the cache besides finished downloads (locks, partial files). */
function leftovers(): string[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache).filter((n) => n.endsWith(".part") || n.includes(".lock"));
}

describe("iso_checksum forms", () => {
  const table: [string, unknown][] = [
    ["none", { kind: "none" }],
    ["", { kind: "none" }],
    [`sha256:${IMAGE_SHA256}`, { kind: "hash", checksum: { type: "sha256", value: IMAGE_SHA256 } }],
    [
      `SHA256:${IMAGE_SHA256.toUpperCase()}`,
      { kind: "hash", checksum: { type: "sha256", value: IMAGE_SHA256 } },
    ],
    [md5("x"), { kind: "hash", checksum: { type: "md5", value: md5("x") } }],
    [sha1("x"), { kind: "hash", checksum: { type: "sha1", value: sha1("x") } }],
    [IMAGE_SHA256, { kind: "hash", checksum: { type: "sha256", value: IMAGE_SHA256 } }],
    ["a".repeat(128), { kind: "hash", checksum: { type: "sha512", value: "a".repeat(128) } }],
    ["file:http://x/SHA256SUMS", { kind: "file", location: "http://x/SHA256SUMS" }],
    ["file:./sums.txt", { kind: "file", location: "./sums.txt" }],
  ];
  for (const [text, want] of table) {
    test(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseChecksumSpec(text), want));
  }

  test("rejects what is none of the forms", () => {
    assert.throws(() => parseChecksumSpec("abc"), /cannot tell its type from its length \(3/);
    assert.throws(
      () => parseChecksumSpec("sha256:abc"),
      /sha256 checksum has 64 hex digits, not 3/,
    );
    assert.throws(
      () => parseChecksumSpec(`crc32:${IMAGE_SHA256}`),
      /unknown checksum type "crc32"/,
    );
    assert.throws(() => parseChecksumSpec("z".repeat(64)), /is not hexadecimal/);
  });
});

describe("checksum files", () => {
  test("GNU lines, with and without the binary-mode star", () => {
    const text = `${ZEROS}  a.iso\n${IMAGE_SHA256} *b.iso\n`;
    assert.deepEqual(findChecksum(text, "b.iso"), { type: "sha256", value: IMAGE_SHA256 });
    assert.deepEqual(findChecksum(text, "a.iso"), { type: "sha256", value: ZEROS });
  });

  test("BSD lines name their hash type", () => {
    const text = `MD5 (a.iso) = ${md5("a")}\nSHA1 (./dir/b.iso) = ${sha1("b")}\n`;
    assert.deepEqual(findChecksum(text, "a.iso"), { type: "md5", value: md5("a") });
    assert.deepEqual(findChecksum(text, "b.iso"), { type: "sha1", value: sha1("b") });
  });

  test("a file with a single bare hash fits any name", () => {
    assert.deepEqual(findChecksum(`${IMAGE_SHA256}\n`, "whatever.iso"), {
      type: "sha256",
      value: IMAGE_SHA256,
    });
  });

  test("names are compared by their last element", () => {
    const text = `${IMAGE_SHA256}  ./images/c.iso\n`;
    assert.equal(findChecksum(text, "c.iso").value, IMAGE_SHA256);
  });

  test("no line for the file is an error naming it", () => {
    assert.throws(
      () => findChecksum(`${ZEROS}  a.iso\n`, "b.iso", "SUMS"),
      /no checksum for "b.iso" in SUMS/,
    );
  });
});

describe("sources and targets", () => {
  test("plain paths and file: URLs are local, relative to the template's folder", () => {
    assert.deepEqual(parseSource("x.iso", "/tpl"), { kind: "local", path: "/tpl/x.iso" });
    assert.deepEqual(parseSource("file://./x.iso", "/tpl"), { kind: "local", path: "/tpl/x.iso" });
    assert.deepEqual(parseSource("file:///abs/a%20b.iso", "/tpl"), {
      kind: "local",
      path: "/abs/a b.iso",
    });
  });

  test("a checksum query parameter is taken off the URL", () => {
    const s = parseSource(`http://h/x.iso?checksum=sha256:${ZEROS}&a=1`, "/tpl");
    assert.equal(s.kind, "remote");
    if (s.kind !== "remote") return;
    assert.equal(s.url.href, "http://h/x.iso?a=1");
    assert.equal(s.checksum, `sha256:${ZEROS}`);
  });

  test("other schemes are refused with the ones kiln supports", () => {
    assert.throws(
      () => parseSource("s3://bucket/x.iso", "/tpl"),
      /unsupported URL scheme "s3".*http, https and file/,
    );
  });

  test("the cache file is named after the checksum, or the URL when there is none", () => {
    const opts = { extension: "iso", baseDir: "/tpl" };
    assert.equal(
      downloadTarget(opts, "sha256:abc", "http://h/x"),
      join(cache, `${sha1("sha256:abc")}.iso`),
    );
    assert.equal(
      downloadTarget(opts, "none", "http://h/x"),
      join(cache, `${sha1("http://h/x")}.iso`),
    );
    assert.equal(
      downloadTarget({ ...opts, targetPath: "out/my.img" }, "none", "http://h/x"),
      "/tpl/out/my.img",
    );
    assert.equal(
      downloadTarget({ ...opts, targetPath: "/isos" }, "md5:1", "http://h/x"),
      `/isos/${sha1("md5:1")}.iso`,
    );
  });
});

describe("StepDownload", () => {
  test("downloads into the cache, verified, and says so as Packer does", async () => {
    const url = `${base}/image.iso`;
    const r = await download({ urls: [url], checksum: `sha256:${IMAGE_SHA256}` });
    assert.equal(r.action, "continue", r.error?.message);
    const target = join(cache, `${sha1(`sha256:${IMAGE_SHA256}`)}.iso`);
    assert.equal(r.state.get(ISO_PATH), target);
    assert.equal(r.state.get(SOURCE_IMAGE_URL), url);
    assert.ok(readFileSync(target).equals(IMAGE));
    assert.deepEqual(r.ui.texts("say"), ["Retrieving ISO", `Trying ${url}`, `${url} => ${target}`]);
    assert.deepEqual(leftovers(), []);
  });

  test("reuses a cached file whose checksum matches, without a request", async () => {
    const url = `${base}/mirror/image.iso`;
    const first = await download({ urls: [url], checksum: IMAGE_SHA256 });
    assert.equal(first.action, "continue");
    const before = hitCount("/mirror/image.iso");
    const again = await download({ urls: [url], checksum: IMAGE_SHA256 });
    assert.equal(again.action, "continue");
    assert.equal(again.state.get(ISO_PATH), first.state.get(ISO_PATH));
    assert.equal(hitCount("/mirror/image.iso"), before);
  });

  test("fetches again when the cached file no longer matches", async () => {
    const checksum = `md5:${md5(IMAGE)}`;
    const target = join(cache, `${sha1(checksum)}.iso`);
    writeFileSync(target, "corrupted");
    const r = await download({ urls: [`${base}/image.iso`], checksum });
    assert.equal(r.action, "continue", r.error?.message);
    assert.ok(readFileSync(target).equals(IMAGE));
  });

  test("with checksum none a cached file is reused as it is", async () => {
    const url = `${base}/image.iso?none`;
    const target = join(cache, `${sha1(url)}.iso`);
    writeFileSync(target, "anything");
    const before = hitCount("/image.iso");
    const r = await download({ urls: [url], checksum: "none" });
    assert.equal(r.state.get(ISO_PATH), target);
    assert.equal(readFileSync(target, "utf8"), "anything");
    assert.equal(hitCount("/image.iso"), before);
  });

  test("a checksum mismatch fails with both values and removes the download", async () => {
    const checksum = `sha256:${ZEROS}`;
    const r = await download({ urls: [`${base}/image.iso`], checksum });
    assert.equal(r.action, "halt");
    assert.match(r.error!.message, /^error downloading ISO: /);
    assert.match(r.error!.message, new RegExp(`expected sha256 ${ZEROS}, got ${IMAGE_SHA256}`));
    const target = join(cache, `${sha1(checksum)}.iso`);
    assert.equal(existsSync(target), false);
    assert.ok(r.ui.texts("say").includes(`Checksum did not match, removing ${target}`));
    assert.deepEqual(r.ui.texts("error"), [r.error!.message]);
    assert.deepEqual(leftovers(), []);
  });

  test("follows redirects", async () => {
    const r = await download({ urls: [`${base}/moved.iso`], checksum: `sha1:${sha1IMAGE()}` });
    assert.equal(r.action, "continue", r.error?.message);
    assert.ok(readFileSync(r.state.get(ISO_PATH)!).equals(IMAGE));
  });

  test("a body shorter than announced is a failure", async () => {
    const r = await download({ urls: [`${base}/short.iso`], checksum: "none" });
    assert.equal(r.action, "halt");
    assert.match(r.error!.message, /short\.iso: /);
    assert.deepEqual(leftovers(), []);
  });

  test("tries the URLs in order and says why each failed", async () => {
    const bad = `${base}/missing.iso`;
    const good = `${base}/image.iso`;
    const r = await download({ urls: [bad, good], checksum: `sha256:${IMAGE_SHA256}` });
    assert.equal(r.action, "continue");
    assert.deepEqual(r.ui.texts("say").slice(0, 3), [
      "Retrieving ISO",
      `Trying ${bad}`,
      "Download failed bad response code: 404",
    ]);

    const worse = `${base}/also-missing.iso`;
    const failed = await download({ urls: [bad, worse], checksum: "none" });
    assert.equal(failed.action, "halt");
    assert.equal(
      failed.error!.message,
      `error downloading ISO: ${bad}: bad response code: 404; ${worse}: bad response code: 404`,
    );
  });

  test("checksum files: GNU and BSD, fetched or local", async () => {
    const url = `${base}/image.iso`;
    for (const checksum of [`file:${base}/SHA256SUMS`, `file:${base}/bsd.sums`]) {
      const r = await download({ urls: [url], checksum });
      assert.equal(r.action, "continue", `${checksum}: ${r.error?.message}`);
      assert.equal(r.state.get(ISO_PATH), join(cache, `${sha1(checksum)}.iso`));
    }
    // The local sums file lists local.iso; a remote image of another name is not in it.
    const r = await download({ urls: [url], checksum: "file:./SHA256SUMS" });
    assert.equal(r.action, "halt");
    assert.match(r.error!.message, /no checksum for "image.iso" in \.\/SHA256SUMS/);
  });

  test("local files are used in place, verified, never copied", async () => {
    const r = await download({ urls: ["local.iso"], checksum: "file:SHA256SUMS" });
    assert.equal(r.action, "continue", r.error?.message);
    const path = join(templateDir, "local.iso");
    assert.equal(r.state.get(ISO_PATH), path);
    assert.ok(r.ui.texts("say").includes(`Using file in place: ${path}`));

    const viaURL = await download({ urls: [`file://${path}`], checksum: `md5:${md5(IMAGE)}` });
    assert.equal(viaURL.state.get(ISO_PATH), path);

    const wrong = await download({ urls: ["local.iso"], checksum: `sha256:${ZEROS}` });
    assert.equal(wrong.action, "halt");
    assert.match(
      wrong.error!.message,
      /checksum mismatch for .*local\.iso: expected sha256 0+, got /,
    );
    assert.ok(existsSync(path), "a local file that does not match is left alone");

    const missing = await download({ urls: ["nope.iso"], checksum: "none" });
    assert.match(missing.error!.message, /file not found: .*nope\.iso/);
  });

  test("a local file with iso_target_path is copied there", async () => {
    const r = await download({
      urls: ["local.iso"],
      checksum: `sha256:${IMAGE_SHA256}`,
      targetPath: "copies/copy.iso",
    });
    assert.equal(r.action, "continue", r.error?.message);
    const copy = join(templateDir, "copies", "copy.iso");
    assert.equal(r.state.get(ISO_PATH), copy);
    assert.ok(readFileSync(copy).equals(IMAGE));
    assert.ok(!existsSync(`${copy}.lock`) && !existsSync(`${copy}.part`));
  });

  test("concurrent downloads of one URL fetch it once", async () => {
    const url = `${base}/slow.iso`;
    const checksum = `sha256:${IMAGE_SHA256}`;
    const before = hitCount("/slow.iso");
    const results = await Promise.all([
      download({ urls: [url], checksum }),
      download({ urls: [url], checksum }),
      download({ urls: [url], checksum }),
    ]);
    for (const r of results) assert.equal(r.action, "continue", r.error?.message);
    assert.equal(hitCount("/slow.iso") - before, 1);
    const paths = new Set(results.map((r) => r.state.get(ISO_PATH)));
    assert.equal(paths.size, 1);
    assert.ok(readFileSync([...paths][0]!).equals(IMAGE));
    assert.deepEqual(leftovers(), []);
  });

  test("cancelling removes the partial file and releases the lock", async () => {
    const url = `${base}/slow.iso`;
    const checksum = `md5:${md5(IMAGE)}`;
    const target = join(cache, `${sha1(checksum)}.iso`);
    const ac = new AbortController();
    const pending = download({ urls: [url], checksum }, ac.signal);
    setTimeout(() => ac.abort(), 100);
    const r = await pending;
    assert.equal(r.action, "halt");
    assert.equal(r.error, undefined);
    assert.equal(existsSync(target), false);
    assert.deepEqual(leftovers(), []);
  });
});

describe("download lock", () => {
  const dir = scratchDir("kiln-lock-");

  test("a lock held by a live process is waited for", async () => {
    const lock = join(dir, "live.lock");
    writeFileSync(lock, `${process.pid} someone-else\n`);
    let waitedFor: number | undefined;
    let acquired = false;
    const pending = acquireLock(lock, undefined, (pid) => {
      waitedFor = pid;
    }).then((release) => {
      acquired = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(acquired, false);
    assert.equal(waitedFor, process.pid);
    writeFileSync(lock, "");
    // An empty lock is one being written: still respected until it is old.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(acquired, false);
    await import("node:fs/promises").then((fs) => fs.unlink(lock));
    const release = await pending;
    assert.match(readFileSync(lock, "utf8"), new RegExp(`^${process.pid} `));
    await release();
    assert.equal(existsSync(lock), false);
  });

  test("a lock left by a dead process is taken over", async () => {
    const child = start(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await child.wait();
    const lock = join(dir, "stale.lock");
    writeFileSync(lock, `${pid} dead\n`);
    const release = await acquireLock(lock);
    assert.match(readFileSync(lock, "utf8"), new RegExp(`^${process.pid} `));
    await release();
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith("stale")),
      [],
    );
  });

  test("waiting stops when cancelled", async () => {
    const lock = join(dir, "held.lock");
    writeFileSync(lock, `${process.pid} other\n`);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(acquireLock(lock, ac.signal));
    assert.equal(readFileSync(lock, "utf8"), `${process.pid} other\n`);
  });
});

describe("progress", () => {
  test("without a terminal, a line at each tenth", () => {
    const ui = new RecordingUi();
    let t = 0;
    const p = trackProgress(ui, "ISO", 1000, { stream: { write: () => true }, now: () => t });
    for (let i = 0; i < 20; i++) {
      t += 100;
      p.add(50);
    }
    p.finish();
    const lines = ui.texts("message");
    assert.equal(lines.length, 10);
    assert.equal(lines[0], "ISO: 10% (100 B of 1000 B, 500 B/s)");
    assert.equal(lines[9], "ISO: 100% (1000 B of 1000 B, 500 B/s)");
  });

  test("without a terminal or a size, a line per interval", () => {
    const ui = new RecordingUi();
    let t = 0;
    const p = trackProgress(ui, "ISO", undefined, {
      stream: { write: () => true },
      now: () => t,
      lineIntervalMs: 1000,
    });
    for (let i = 0; i < 10; i++) {
      t += 300;
      p.add(2048);
    }
    // Lines at 1.2 s and 2.4 s; the last add, 0.6 s after, is too soon for another.
    assert.deepEqual(ui.texts("message"), [
      "ISO: 8.0 KiB (6.7 KiB/s)",
      "ISO: 16.0 KiB (6.7 KiB/s)",
    ]);
  });

  test("on a terminal, a bar redrawn in place and cleared at the end", () => {
    const ui = new RecordingUi();
    const writes: string[] = [];
    let t = 0;
    const stream = { isTTY: true, columns: 120, write: (s: string) => writes.push(s) };
    const p = trackProgress(ui, "ISO", 4096, { stream, now: () => t });
    t = 1000;
    p.add(2048);
    p.finish();
    assert.deepEqual(ui.calls, []);
    assert.ok(writes.every((w) => w.startsWith("\r")));
    assert.ok(
      writes.includes("\rISO [==========>         ] 50% 2.0 KiB/4.0 KiB 2.0 KiB/s\x1b[K"),
      writes.join("\n"),
    );
    assert.equal(writes.at(-1), "\r\x1b[K");
  });

  test("nothing at all for machine-readable output", () => {
    const out: string[] = [];
    const ui = new MachineReadableUi({
      stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
    });
    const writes: string[] = [];
    const p = trackProgress(ui, "ISO", 100, {
      stream: { isTTY: true, write: (s) => writes.push(s) },
    });
    p.add(100);
    p.finish();
    assert.deepEqual([...out, ...writes], []);
  });

  test("byte counts for people", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
  });

  test("a download reports its progress", async () => {
    const ui = new RecordingUi();
    const r = await download(
      {
        urls: [`${base}/image.iso`],
        checksum: `sha512:${createHash("sha512").update(IMAGE).digest("hex")}`,
        progress: { stream: { write: () => true } },
      },
      undefined,
      ui,
    );
    assert.equal(r.action, "continue", r.error?.message);
    const lines = ui.texts("message");
    assert.ok(lines.length >= 1 && lines.length <= 10, lines.join("\n"));
    assert.match(lines.at(-1)!, /^ISO: 100% \(300\.0 KiB of 300\.0 KiB, /);
  });
});

function sha1IMAGE(): string {
  return createHash("sha1").update(IMAGE).digest("hex");
}
