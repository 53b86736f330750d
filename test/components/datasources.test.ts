import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { decodeHCLConfig } from "../../src/components/decode-hcl.js";
import { loadSchema } from "../../src/components/registry.js";
import { canonicalHeaderKey, execute as executeHTTP } from "../../src/datasources/http/index.js";
import { execute as executeNull } from "../../src/datasources/null/index.js";
import { parseConfig } from "../../src/hcl/syntax/index.js";

// The null and http data sources actually run; http against a local server.

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === "/missing") {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("nope");
        return;
      }
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "/data" });
        res.end();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.setHeader("x-custom-thing", ["one", "two"]);
      res.writeHead(200);
      res.end(req.method === "HEAD" ? undefined : JSON.stringify({ ok: true, echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

test("null returns its input as output", async () => {
  assert.deepEqual(await executeNull({ input: "hello" }), { output: "hello" });
});

test("http sends the request headers and returns body, url and response headers", async () => {
  seen.length = 0;
  const out = await executeHTTP({
    url: `${base}/data`,
    method: "GET",
    request_headers: { "X-Token": "abc", Accept: "application/json" },
  });
  assert.equal(out.url, `${base}/data`);
  assert.deepEqual(JSON.parse(out.body as string), { ok: true, echo: "" });
  const headers = out.request_headers as Record<string, string>;
  assert.equal(headers["Content-Type"], "application/json");
  assert.equal(headers["X-Custom-Thing"], "one, two");
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.method, "GET");
  assert.equal(seen[0]!.headers["x-token"], "abc");
  assert.equal(seen[0]!.headers.accept, "application/json");
});

test("http sends the method and request body", async () => {
  seen.length = 0;
  const out = await executeHTTP({ url: `${base}/post`, method: "POST", request_body: "payload" });
  assert.equal(seen[0]!.method, "POST");
  assert.equal(seen[0]!.body, "payload");
  assert.deepEqual(JSON.parse(out.body as string), { ok: true, echo: "payload" });
});

test("http follows redirects but reports the URL it was given", async () => {
  const out = await executeHTTP({ url: `${base}/redirect`, method: "GET" });
  assert.equal(out.url, `${base}/redirect`);
  assert.deepEqual(JSON.parse(out.body as string).ok, true);
});

test("a status outside 2xx is Packer's error", async () => {
  await assert.rejects(executeHTTP({ url: `${base}/missing`, method: "GET" }), {
    message: "HTTP request error. Response code: 404",
  });
});

test("a connection failure names the request, as Go's client does", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(
    executeHTTP({ url: `http://127.0.0.1:${port}/`, method: "GET" }),
    (e: Error) => {
      assert.match(e.message, new RegExp(`^Get "http://127\\.0\\.0\\.1:${port}/": .*ECONNREFUSED`));
      return true;
    },
  );
});

test("an aborted request rejects", async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(executeHTTP({ url: `${base}/data`, method: "GET" }, ac.signal));
});

test("a decoded http block runs as configured", async () => {
  const schema = (await loadSchema("datasource", "http"))!;
  const { file } = parseConfig(
    `url = "${base}/data"\nrequest_headers = { X-Token = "t" }`,
    "d.pkr.hcl",
  );
  const r = decodeHCLConfig(file.body, schema.config, {});
  assert.deepEqual(r.diags, []);
  seen.length = 0;
  const out = await executeHTTP(r.config);
  assert.equal(seen[0]!.method, "GET");
  assert.equal(seen[0]!.headers["x-token"], "t");
  assert.equal(out.url, `${base}/data`);
  // The output matches the declared output attributes.
  assert.deepEqual(Object.keys(out).sort(), Object.keys(schema.output!.fields).sort());
});

test("header names are canonicalized as Go's net/http does", () => {
  assert.equal(canonicalHeaderKey("content-type"), "Content-Type");
  assert.equal(canonicalHeaderKey("x-custom-thing"), "X-Custom-Thing");
  assert.equal(canonicalHeaderKey("etag"), "Etag");
  assert.equal(canonicalHeaderKey("www-authenticate"), "Www-Authenticate");
});
