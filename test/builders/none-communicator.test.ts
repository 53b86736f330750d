import assert from "node:assert/strict";
import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { NoCommunicatorError } from "../../src/communicators/communicator.js";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { scratchDir } from "../support/engine.js";

const scratch = scratchDir("kiln-none-comm-test-");

test("every operation of the none communicator fails with NoCommunicatorError", async () => {
  const comm = new NoneCommunicator();
  const cases: [Promise<unknown>, string][] = [
    [comm.run({ command: "uname -a" }), 'Running the command "uname -a"'],
    [comm.upload("/tmp/x.sh", new PassThrough()), "Uploading /tmp/x.sh"],
    [comm.uploadDir("/opt/app", "./app"), "Uploading the directory ./app to /opt/app"],
    [comm.download("/etc/hostname", new PassThrough()), "Downloading /etc/hostname"],
    [comm.downloadDir("/var/log", "./logs"), "Downloading the directory /var/log to ./logs"],
  ];
  for (const [op, what] of cases) {
    await assert.rejects(op, (err) => {
      assert.ok(err instanceof NoCommunicatorError);
      assert.equal(err.message, `${what} is not possible: the communicator is "none"`);
      return true;
    });
  }
});

test("an upload's source stream is closed, not left open", async () => {
  const file = join(scratch, "payload");
  writeFileSync(file, "data");
  const src = createReadStream(file);
  const closed = new Promise<void>((resolve) => src.once("close", () => resolve()));
  await assert.rejects(new NoneCommunicator().upload("/tmp/payload", src), NoCommunicatorError);
  await closed;
  assert.equal(src.destroyed, true);
});
