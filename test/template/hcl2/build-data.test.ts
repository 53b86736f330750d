// build.* in provisioners and post-processors: the common keys for every
// builder, plus the keys the builder's schema says it makes known (docker:
// ImageSha256, SourceImageDigest). Another builder's keys are an error, as in Packer.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { kiln } from "../../support/cli.js";

function template(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kiln-build-data-"));
  const file = join(dir, "t.pkr.hcl");
  writeFileSync(
    file,
    `${source}
build {
  sources = ["source.${source
    .match(/source "(\w+)" "(\w+)"/)!
    .slice(1)
    .join(".")}"]
  provisioner "shell-local" {
    inline = ["echo \${build.SourceImageDigest} \${build.ID} \${build.PackerHTTPAddr}"]
  }
  post-processor "shell-local" {
    inline = ["echo \${build.ImageSha256}"]
  }
}
`,
  );
  return file;
}

describe("build.* keys", () => {
  it("a docker source makes ImageSha256 and SourceImageDigest known", () => {
    const r = kiln([
      "validate",
      template('source "docker" "x" {\n  image  = "debian:bookworm"\n  commit = true\n}'),
    ]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("a null source does not have them", () => {
    const r = kiln(["validate", template('source "null" "x" {\n  communicator = "none"\n}')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr + r.stdout, /This object does not have an attribute named "ImageSha256"/);
    assert.match(
      r.stderr + r.stdout,
      /This object does not have an attribute named "SourceImageDigest"/,
    );
  });
});
