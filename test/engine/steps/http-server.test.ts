import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer, type Server, Socket } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ERROR, StateBag } from "../../../src/engine/multistep/index.js";
import { isLeased, leasePort } from "../../../src/engine/ports.js";
import {
  HTTP_IP,
  HTTP_PORT,
  type HTTPServerOptions,
  StepHTTPServer,
} from "../../../src/engine/steps/http-server.js";
import { RecordingUi, scratchDir, testBuildContext } from "../../support/engine.js";

/** A random range of high ports, so that parallel test files rarely meet. */
function portRange(size: number): [number, number] {
  const min = 20000 + Math.floor(Math.random() * 30000);
  return [min, min + size];
}

function occupy(port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(port, host, () => resolve(s));
  });
}

describe("leasePort", () => {
  test("leases differ until released, within [min, max)", async () => {
    const [min, max] = portRange(3);
    const leases = await Promise.all([1, 2, 3].map(() => leasePort(min, max, "127.0.0.1")));
    const ports = leases.map((l) => l.port).sort();
    assert.deepEqual(ports, [min, min + 1, min + 2]);
    await assert.rejects(
      leasePort(min, max, "127.0.0.1"),
      new RegExp(`no free TCP port in the range ${min}-${max - 1} on 127\\.0\\.0\\.1`),
    );
    leases[1]!.release();
    leases[1]!.release();
    assert.equal(isLeased(leases[1]!.port), false);
    const again = await leasePort(min, max, "127.0.0.1");
    assert.equal(again.port, leases[1]!.port);
    for (const l of [again, leases[0]!, leases[2]!]) l.release();
  });

  test("skips a port something else is bound to", async () => {
    const [min, max] = portRange(2);
    const busy = await occupy(min);
    try {
      for (let i = 0; i < 5; i++) {
        const lease = await leasePort(min, max, "127.0.0.1");
        assert.equal(lease.port, min + 1);
        lease.release();
      }
      const single = leasePort(min, min, "127.0.0.1");
      await assert.rejects(
        single,
        /no free TCP port in the range \d+ on 127\.0\.0\.1 \(last error: .*EADDRINUSE/,
      );
    } finally {
      busy.close();
    }
  });

  test("starts at a random port of the range", async () => {
    const [min, max] = portRange(50);
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const lease = await leasePort(min, max, "127.0.0.1");
      seen.add(lease.port);
      lease.release();
    }
    assert.ok(seen.size > 1, `always ${[...seen]}`);
  });
});

const dir = scratchDir("kiln-http-");
const outside = scratchDir("kiln-http-outside-");
mkdirSync(join(dir, "sub"));
mkdirSync(join(dir, "site"));
writeFileSync(join(dir, "preseed.cfg"), "d-i debian-installer/locale string en_US\n");
writeFileSync(join(dir, "sub", "ks.cfg"), "text\nreboot\n");
writeFileSync(join(dir, "site", "index.html"), "<h1>hi</h1>");
writeFileSync(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 3, 255]));
writeFileSync(join(outside, "secret.txt"), "secret");
symlinkSync(join(outside, "secret.txt"), join(dir, "escape.txt"));
symlinkSync(outside, join(dir, "escape-dir"));
symlinkSync(join(dir, "sub", "ks.cfg"), join(dir, "inside-link.cfg"));

async function startServer(
  opts: Partial<HTTPServerOptions>,
  state = new StateBag(),
): Promise<{
  step: StepHTTPServer;
  state: StateBag;
  ui: RecordingUi;
  data: Record<string, string>;
  base: string;
  logs: string[];
}> {
  const ui = new RecordingUi();
  const ctx = testBuildContext({ ui });
  const logs: string[] = [];
  const [min, max] = portRange(100);
  const step = new StepHTTPServer(ctx, {
    directory: "",
    content: {},
    portMin: min,
    portMax: max,
    bindAddress: "127.0.0.1",
    log: (l) => logs.push(l),
    ...opts,
  });
  const action = await step.run(state);
  assert.equal(action, "continue", state.get(ERROR)?.message);
  const port = state.get(HTTP_PORT);
  return { step, state, ui, data: ctx.generatedData, base: `http://127.0.0.1:${port}`, logs };
}

/** A GET with the path sent exactly as written (fetch would normalise "..") . */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: "GET", agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("StepHTTPServer", () => {
  test("does nothing without a directory or content", async () => {
    const ui = new RecordingUi();
    const state = new StateBag();
    const step = new StepHTTPServer(testBuildContext({ ui }), {
      directory: "",
      content: {},
      portMin: 8000,
      portMax: 9000,
      bindAddress: "0.0.0.0",
    });
    assert.equal(await step.run(state), "continue");
    assert.equal(state.has(HTTP_PORT), false);
    assert.deepEqual(ui.calls, []);
    await step.cleanup();
  });

  test("serves http_content and makes its address known", async () => {
    const state = new StateBag();
    state.set(HTTP_IP, "10.0.2.2");
    const s = await startServer(
      { content: { "/preseed.cfg": "preseed body", "user-data": "#cloud-config\n" } },
      state,
    );
    try {
      const port = s.state.get(HTTP_PORT)!;
      assert.deepEqual(s.ui.texts("say"), [`Starting HTTP server on port ${port}`]);
      assert.deepEqual(s.data, {
        PackerHTTPIP: "10.0.2.2",
        PackerHTTPPort: String(port),
        PackerHTTPAddr: `10.0.2.2:${port}`,
      });
      const res = await fetch(`${s.base}/preseed.cfg`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await res.text(), "preseed body");
      assert.equal(await (await fetch(`${s.base}/user-data`)).text(), "#cloud-config\n");
      assert.equal(await (await fetch(`${s.base}//./preseed.cfg`)).text(), "preseed body");

      const head = await fetch(`${s.base}/preseed.cfg`, { method: "HEAD" });
      assert.equal(head.headers.get("content-length"), "12");
      assert.equal(await head.text(), "");

      const missing = await fetch(`${s.base}/preseed.cgf`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), '/preseed.cgf not found. Did you mean "/preseed.cfg"?\n');
      assert.equal((await fetch(`${s.base}/preseed.cfg`, { method: "POST" })).status, 405);

      assert.ok(
        s.logs.some((l) => l.startsWith("http: GET /preseed.cfg 200")),
        s.logs.join("\n"),
      );
      assert.ok(s.logs.some((l) => l.startsWith("http: GET /preseed.cgf 404")));
      assert.ok(s.ui.calls.every((c) => !c.text.includes("GET")));
    } finally {
      await s.step.cleanup();
    }
  });

  test("without HTTP_IP, the bind address is the one made known", async () => {
    const s = await startServer({ content: { "/a": "b" } });
    try {
      assert.equal(s.state.get(HTTP_IP), "127.0.0.1");
      assert.equal(s.data.PackerHTTPAddr, `127.0.0.1:${s.state.get(HTTP_PORT)}`);
    } finally {
      await s.step.cleanup();
    }
  });

  test("serves http_directory, relative to the base directory", async () => {
    const ui = new RecordingUi();
    const ctx = testBuildContext({ ui });
    const [min, max] = portRange(100);
    const step = new StepHTTPServer(ctx, {
      directory: dir.split("/").at(-1)!,
      baseDir: join(dir, ".."),
      content: { "/sub/ks.cfg": "from content" },
      portMin: min,
      portMax: max,
      bindAddress: "127.0.0.1",
    });
    const state = new StateBag();
    assert.equal(await step.run(state), "continue", state.get(ERROR)?.message);
    const base = `http://127.0.0.1:${state.get(HTTP_PORT)}`;
    try {
      const file = await fetch(`${base}/preseed.cfg`);
      assert.equal(await file.text(), "d-i debian-installer/locale string en_US\n");
      assert.equal(file.headers.get("content-type"), "text/plain; charset=utf-8");
      const blob = await fetch(`${base}/blob.bin`);
      assert.equal(blob.headers.get("content-type"), "application/octet-stream");
      assert.deepEqual([...new Uint8Array(await blob.arrayBuffer())], [0, 1, 2, 3, 255]);

      // http_content wins over a file at the same path.
      assert.equal(await (await fetch(`${base}/sub/ks.cfg`)).text(), "from content");
      // A symlink to a file inside the directory is served.
      assert.equal(await (await fetch(`${base}/inside-link.cfg`)).text(), "text\nreboot\n");

      const redirect = await fetch(`${base}/site`, { redirect: "manual" });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get("location"), "/site/");
      assert.equal(await (await fetch(`${base}/site/`)).text(), "<h1>hi</h1>");
      const listing = await (await fetch(`${base}/`)).text();
      for (const name of ['href="preseed.cfg"', 'href="sub/"', 'href="site/"']) {
        assert.ok(listing.includes(name), listing);
      }
      assert.equal((await fetch(`${base}/nothing.cfg`)).status, 404);
    } finally {
      await step.cleanup();
    }
  });

  test("refuses what lies outside the directory", async () => {
    const s = await startServer({ directory: dir });
    try {
      assert.equal((await rawGet(s.base, "/escape.txt")).status, 403);
      assert.equal((await rawGet(s.base, "/escape-dir/secret.txt")).status, 403);
      for (const path of [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/sub/../../etc/hostname",
      ]) {
        const r = await rawGet(s.base, path);
        assert.equal(r.status, 404, path);
        assert.ok(!r.body.includes("root:"), path);
      }
      // ".." that stays inside is fine.
      assert.equal((await rawGet(s.base, "/sub/../preseed.cfg")).status, 200);
    } finally {
      await s.step.cleanup();
    }
  });

  test("a missing directory stops the build", async () => {
    const ui = new RecordingUi();
    const state = new StateBag();
    const step = new StepHTTPServer(testBuildContext({ ui }), {
      directory: join(dir, "nope"),
      content: {},
      portMin: 8000,
      portMax: 9000,
      bindAddress: "127.0.0.1",
    });
    assert.equal(await step.run(state), "halt");
    assert.match(state.get(ERROR)!.message, /^Error finding ".*nope": /);
    assert.deepEqual(ui.texts("error"), [state.get(ERROR)!.message]);
    await step.cleanup();
  });

  test("no free port in the range stops the build", async () => {
    const [min] = portRange(1);
    const busy = await occupy(min);
    try {
      const state = new StateBag();
      const step = new StepHTTPServer(testBuildContext(), {
        directory: "",
        content: { "/x": "y" },
        portMin: min,
        portMax: min + 1,
        bindAddress: "127.0.0.1",
      });
      assert.equal(await step.run(state), "halt");
      assert.match(
        state.get(ERROR)!.message,
        new RegExp(`^Error finding port: no free TCP port in the range ${min} `),
      );
      await step.cleanup();
    } finally {
      busy.close();
    }
  });

  test("cleanup closes the server, open connections included, and frees the port", async () => {
    const s = await startServer({ content: { "/a": "b" } });
    const port = s.state.get(HTTP_PORT)!;
    // A kept-alive connection must not hold the cleanup up.
    const socket = await new Promise<Socket>((resolve) => {
      const c = new Socket();
      c.connect(port, "127.0.0.1", () => resolve(c));
    });
    socket.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => socket.once("data", r));
    const closed = new Promise((r) => socket.once("close", r));
    assert.equal(isLeased(port), true);
    await s.step.cleanup();
    await closed;
    assert.equal(isLeased(port), false);
    await assert.rejects(fetch(`${s.base}/a`));
  });
});
