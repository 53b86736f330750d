// TCP ports a build hands to something it starts: the HTTP server, QEMU's
// VNC display, the host side of a forwarded SSH port. A port is picked at
// random in a range and checked free by binding it; ports leased in this
// process are remembered until released, so two builds running in one kiln
// never get the same port even when neither has bound it yet.

import { createServer } from "node:net";

export interface PortLease {
  port: number;
  /** Lets the port be leased again; calling it twice is harmless. */
  release(): void;
}

const leased = new Set<number>();

/**
 * Finds a free TCP port in [min, max) on `address` (bind-probe, random start),
 * not handed out before by this process; returns a lease. Throws a clear
 * Error when none is free. A range with max <= min is the single port min,
 * as in Packer.
 */
export async function leasePort(min: number, max: number, address = "0.0.0.0"): Promise<PortLease> {
  const count = Math.max(max - min, 1);
  if (!Number.isInteger(min) || min < 0 || min + count - 1 > 65535) {
    throw new Error(`invalid port range [${min}, ${max})`);
  }
  const start = Math.floor(Math.random() * count);
  let lastError: Error | undefined;
  for (let i = 0; i < count; i++) {
    const port = min + ((start + i) % count);
    if (leased.has(port)) continue;
    // Reserve before the probe so that a concurrent lease skips this port.
    leased.add(port);
    const err = await probe(port, address);
    if (err === undefined) {
      let released = false;
      return {
        port,
        release() {
          if (released) return;
          released = true;
          leased.delete(port);
        },
      };
    }
    leased.delete(port);
    lastError = err;
    // An address that cannot be bound at all will not work with another port either.
    if (isAddressError(err)) break;
  }
  const range = count > 1 ? `${min}-${min + count - 1}` : `${min}`;
  const why = lastError ? ` (last error: ${lastError.message})` : "";
  throw new Error(`no free TCP port in the range ${range} on ${address}${why}`);
}

/** Whether the port is currently leased by this process. */
export function isLeased(port: number): boolean {
  return leased.has(port);
}

/** Binds and closes the port; resolves with the bind error, or undefined when it is free. */
function probe(port: number, address: string): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (err) => resolve(err));
    server.listen({ port, host: address, exclusive: true }, () => {
      server.close(() => resolve(undefined));
    });
  });
}

function isAddressError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAFNOSUPPORT";
}
