// Running the http data source: one request with Node's fetch; a status
// outside 2xx is an error worded as Packer's.

import type { PlainValue } from "../../components/schema.js";

export async function execute(
  config: Record<string, PlainValue>,
  signal?: AbortSignal,
): Promise<Record<string, PlainValue>> {
  const url = String(config.url ?? "");
  const method = typeof config.method === "string" && config.method !== "" ? config.method : "GET";
  const headers = new Headers();
  const given = config.request_headers;
  if (given !== null && typeof given === "object" && !Array.isArray(given)) {
    for (const [k, v] of Object.entries(given)) headers.set(k, String(v));
  }
  const body =
    typeof config.request_body === "string" && config.request_body !== ""
      ? config.request_body
      : undefined;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  if (signal !== undefined) init.signal = signal;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    // Worded as Go's url.Error: Get "http://...": <reason>.
    if (signal?.aborted) throw e;
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    const op = method.slice(0, 1) + method.slice(1).toLowerCase();
    throw new Error(`${op} ${JSON.stringify(url)}: ${cause ?? (e as Error).message}`);
  }
  if (res.status < 200 || res.status >= 300) {
    await res.body?.cancel();
    throw new Error(`HTTP request error. Response code: ${res.status}`);
  }
  const text = await res.text();
  return { url, body: text, request_headers: responseHeaders(res.headers) };
}

/** The response headers as Go's net/http presents them: canonical names, repeats joined with ", ". */
function responseHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((value, name) => {
    // fetch already joins repeated headers with ", " (Set-Cookie aside).
    out[canonicalHeaderKey(name)] = value;
  });
  const cookies = h.getSetCookie();
  if (cookies.length > 0) out["Set-Cookie"] = cookies.join(", ");
  return out;
}

/** Go's textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type". */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
