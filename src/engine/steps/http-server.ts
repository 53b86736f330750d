// The HTTP server a builder starts to hand files to the machine it boots
// (Packer's StepHTTPServer): a preseed, kickstart or autoinstall file named in
// boot_command as http://{{ .HTTPIP }}:{{ .HTTPPort }}/... It serves
// http_content (paths mapped to text) and the files under http_directory, on
// a port leased in [http_port_min, http_port_max).

import { createReadStream } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { nameSuggestion } from "../../hcl/json/didyoumean.js";
import { host } from "../../host/index.js";
import type { BuildContext } from "../context.js";
import { ERROR, type StateBag, type Step, type StepAction, stateKey } from "../multistep/index.js";
import { leasePort, type PortLease } from "../ports.js";

export interface HTTPServerOptions {
  /** http_directory ("" for none); relative to baseDir. */
  directory: string;
  /** What a relative directory is relative to (default, as in Packer: the current directory). */
  baseDir?: string;
  /** http_content: URL path ("/preseed.cfg") to body; wins over a file of the same path. */
  content: Record<string, string>;
  portMin: number;
  portMax: number;
  bindAddress: string;
  /** Where each request is logged (default: the build's debug log, when the context has one). */
  log?: (line: string) => void;
}

/** The port the HTTP server listens on; set only when a server runs. */
export const HTTP_PORT = stateKey<number>("http_port");
/**
 * The address the machine reaches the HTTP server at, set by the builder
 * before StepHTTPServer runs (QEMU's user networking: "10.0.2.2"). When the
 * builder sets none, the step sets the bind address.
 */
export const HTTP_IP = stateKey<string>("http_ip");

/** How many times a leased port that turns out taken when listening is replaced. */
const LISTEN_ATTEMPTS = 5;

export class StepHTTPServer implements Step {
  readonly name = "StepHTTPServer";
  private server: Server | undefined;
  private lease: PortLease | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: HTTPServerOptions,
  ) {}

  async run(state: StateBag): Promise<StepAction> {
    const { ui } = this.ctx;
    const content = normalizeContent(this.opts.content);
    if (this.opts.directory === "" && content.size === 0) return "continue";

    let root: string | undefined;
    if (this.opts.directory !== "") {
      const dir = host.path.resolve(this.opts.baseDir ?? process.cwd(), this.opts.directory);
      try {
        if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
        root = await realpath(dir);
      } catch (err) {
        return this.fail(
          state,
          `Error finding "${this.opts.directory}": ${(err as Error).message}`,
        );
      }
    }

    const bindAddress = this.opts.bindAddress || "0.0.0.0";
    const log = this.opts.log ?? debugLog(this.ctx);
    const server = createServer((req, res) => {
      serve(req, res, content, root).then(
        (status) => log(`http: ${req.method} ${req.url} ${status} (${req.socket.remoteAddress})`),
        (err: Error) => {
          log(`http: ${req.method} ${req.url} failed: ${err.message}`);
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        },
      );
    });
    this.server = server;
    try {
      this.lease = await listen(server, this.opts.portMin, this.opts.portMax, bindAddress);
    } catch (err) {
      this.server = undefined;
      return this.fail(state, `Error finding port: ${(err as Error).message}`);
    }
    const port = (server.address() as AddressInfo).port;
    ui.say(`Starting HTTP server on port ${port}`);

    const ip = state.get(HTTP_IP) || bindAddress;
    state.set(HTTP_IP, ip);
    state.set(HTTP_PORT, port);
    const data = this.ctx.generatedData;
    data.PackerHTTPIP = ip;
    data.PackerHTTPPort = String(port);
    data.PackerHTTPAddr = `${ip}:${port}`;
    return "continue";
  }

  async cleanup(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.lease?.release();
    this.lease = undefined;
  }

  private fail(state: StateBag, message: string): StepAction {
    const err = new Error(message);
    this.ctx.ui.error(message);
    state.set(ERROR, err);
    return "halt";
  }
}

/** The build's debug log, if the context offers one (`log(line)`); otherwise requests go unlogged. */
function debugLog(ctx: BuildContext): (line: string) => void {
  const log = (ctx as { log?: unknown }).log;
  return typeof log === "function"
    ? (line) => (log as (l: string) => void).call(ctx, line)
    : () => {};
}

/** http_content keyed by cleaned absolute paths, so "preseed.cfg" and "/preseed.cfg" both serve /preseed.cfg. */
function normalizeContent(content: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, body] of Object.entries(content)) out.set(cleanPath(key), body);
  return out;
}

/** A URL path made absolute and clean: no "..", ".", doubled or trailing slashes. */
function cleanPath(p: string): string {
  const normalized = posix.normalize(`/${p}`);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** Listens on a leased port, leasing another when the port was taken between probe and listen. */
async function listen(
  server: Server,
  min: number,
  max: number,
  address: string,
): Promise<PortLease> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < LISTEN_ATTEMPTS; attempt++) {
    const lease = await leasePort(min, max, address);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: lease.port, host: address, exclusive: true }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return lease;
    } catch (err) {
      lease.release();
      lastError = err as Error;
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    }
  }
  throw lastError ?? new Error("cannot listen");
}

/** Answers one request; resolves with the status sent. */
async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  content: Map<string, string>,
  root: string | undefined,
): Promise<number> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return send(res, 405, "text/plain; charset=utf-8", "405 method not allowed\n", req, {
      Allow: "GET, HEAD",
    });
  }
  // The request target is a path, never a URL to resolve: "//x" is not a host.
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const url = {
    pathname: q < 0 ? target : target.slice(0, q),
    search: q < 0 ? "" : target.slice(q),
  };
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, "text/plain; charset=utf-8", "400 bad request\n", req);
  }
  if (decoded.includes("\0"))
    return send(res, 400, "text/plain; charset=utf-8", "400 bad request\n", req);
  const path = cleanPath(decoded);

  const body = content.get(path);
  if (body !== undefined) {
    const bytes = Buffer.from(body, "utf8");
    return send(res, 200, sniff(bytes), bytes, req);
  }
  if (root === undefined) {
    let message = `${path} not found.`;
    const suggestion = nameSuggestion(path, [...content.keys()].sort());
    if (suggestion !== "") message += ` Did you mean "${suggestion}"?`;
    return send(res, 404, "text/plain; charset=utf-8", `${message}\n`, req);
  }
  return serveFile(req, res, root, path, url);
}

const NOT_FOUND = "404 page not found\n";

/** Serves a file or directory under `root`, refusing whatever resolves outside it (through a symlink). */
async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  path: string,
  url: { pathname: string; search: string },
): Promise<number> {
  const real = await resolveInside(root, path);
  if (real === "missing") return send(res, 404, "text/plain; charset=utf-8", NOT_FOUND, req);
  if (real === "outside")
    return send(res, 403, "text/plain; charset=utf-8", "403 forbidden\n", req);
  const info = await stat(real);
  if (info.isDirectory()) {
    if (!url.pathname.endsWith("/")) {
      // Built from the cleaned path: a Location starting "//" would name another host.
      res.writeHead(301, { Location: `${encodeURI(path)}/${url.search}` }).end();
      return 301;
    }
    const index = await resolveInside(root, posix.join(path, "index.html"));
    if (index !== "missing" && index !== "outside" && (await stat(index)).isFile()) {
      return streamFile(req, res, index, "text/html; charset=utf-8");
    }
    return send(res, 200, "text/html; charset=utf-8", await listing(real), req);
  }
  if (!info.isFile()) return send(res, 404, "text/plain; charset=utf-8", NOT_FOUND, req);
  return streamFile(req, res, real, await contentType(real));
}

/** The real path of `urlPath` under `root`, or why there is none. */
async function resolveInside(
  root: string,
  urlPath: string,
): Promise<string | "missing" | "outside"> {
  const joined = host.path.join(root, ...urlPath.split("/").filter((s) => s !== ""));
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    return "missing";
  }
  const prefix = root.endsWith(host.path.sep) ? root : root + host.path.sep;
  return real === root || real.startsWith(prefix) ? real : "outside";
}

async function streamFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  type: string,
): Promise<number> {
  const { size } = await stat(file);
  res.writeHead(200, { "Content-Type": type, "Content-Length": size });
  if (req.method === "HEAD") {
    res.end();
    return 200;
  }
  // A client that hangs up early is not an error worth more than the log line.
  await pipeline(createReadStream(file), res).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ERR_STREAM_PREMATURE_CLOSE") throw err;
  });
  return 200;
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  req: IncomingMessage,
  headers: Record<string, string> = {},
): number {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, { ...headers, "Content-Type": type, "Content-Length": bytes.length });
  res.end(req.method === "HEAD" ? undefined : bytes);
  return status;
}

async function listing(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const links = names.map((n) => `<a href="${escapeHTML(encodeURI(n))}">${escapeHTML(n)}</a>\n`);
  return `<!doctype html>\n<pre>\n${links.join("")}</pre>\n`;
}

function escapeHTML(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "text/xml; charset=utf-8",
  ".iso": "application/octet-stream",
  ".img": "application/octet-stream",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".zip": "application/zip",
};

/** A file's type from its extension, else from its first bytes. */
async function contentType(file: string): Promise<string> {
  const byExt = TYPES[host.path.extname(file).toLowerCase()];
  if (byExt !== undefined) return byExt;
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return sniff(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Text unless it holds control bytes that text does not (as Go's content sniffing decides). */
function sniff(bytes: Buffer): string {
  for (const b of bytes) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) {
      return "application/octet-stream";
    }
  }
  return "text/plain; charset=utf-8";
}
