import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { Value } from "../../../src/hcl/cty/value.js";
import { standardFunctions } from "../../../src/hcl/functions/index.js";
import { lazyModule, lazyRegExp } from "../../../src/hcl/functions/lazy.js";

// Start-up: the large packages behind a few functions load when one of those functions
// first runs, not with the function table. (Each test file runs in its own process, so
// nothing else has loaded them here.)

const require = createRequire(import.meta.url);

function packageLoaded(name: string): boolean {
  return Object.keys(require.cache).some((f) => f.includes(`/node_modules/${name}/`));
}

test("yaml and bcryptjs load on the first call of a function that needs them", () => {
  const table = standardFunctions(process.cwd());
  assert.equal(table.upper!.call([Value.string("kiln")]).asString(), "KILN");
  assert.equal(table.sha256!.call([Value.string("")]).asString().length, 64);
  assert.equal(packageLoaded("yaml"), false, "yaml loaded with the function table");
  assert.equal(packageLoaded("bcryptjs"), false, "bcryptjs loaded with the function table");

  const decoded = table.yamldecode!.call([Value.string("a: [1, yes]\n")]);
  assert.equal(decoded.getAttr("a").index(Value.number(1)).asBool(), true);
  assert.equal(packageLoaded("yaml"), true);

  const hash = table.bcrypt!.call([Value.string("secret"), Value.number(4)]).asString();
  assert.match(hash, /^\$2a\$04\$/);
  assert.equal(packageLoaded("bcryptjs"), true);
  const bcryptjs = require("bcryptjs") as typeof import("bcryptjs");
  assert.equal(bcryptjs.compareSync("secret", hash), true);
});

test("lazyModule loads once and returns the module require gives", () => {
  const get = lazyModule<typeof import("node:path")>("node:path");
  assert.equal(get(), require("node:path"));
  assert.equal(get(), get());
});

test("lazyRegExp builds one RegExp with the given source and flags", () => {
  const get = lazyRegExp(String.raw`^\p{Lu}+$`, "u");
  assert.equal(get(), get());
  assert.equal(get().flags, "u");
  assert.equal(get().test("ÉTÉ"), true);
  assert.equal(get().test("été"), false);
});
