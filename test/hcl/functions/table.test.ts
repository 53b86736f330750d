import assert from "node:assert/strict";
import { test } from "node:test";
import { standardFunctions } from "../../../src/hcl/functions/index.js";

// Every function current Packer documents is in the table templates see.
const DOCUMENTED = `abs ceil floor log max min parseint pow signum sum
chomp format formatlist indent join lower upper regex regexall regex_replace replace split
strcontains startswith endswith strrev substr title trim trimprefix trimsuffix trimspace
alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element flatten
index keys length lookup merge one range reverse setintersection setproduct setunion slice sort
values zipmap base64decode base64encode base64gzip csvdecode jsondecode jsonencode
textdecodebase64 textencodebase64 urlencode yamldecode yamlencode abspath basename dirname file
filebase64 fileexists fileset pathexpand templatefile formatdate timeadd timestamp legacy_isotime
legacy_strftime bcrypt md5 sha1 sha256 sha512 rsadecrypt uuidv4 uuidv5 cidrhost cidrnetmask
cidrsubnet cidrsubnets can try convert tobool tolist tomap tonumber toset tostring env`
  .split(/\s+/)
  .filter(Boolean);

test("the function table has every documented function", () => {
  const table = standardFunctions(process.cwd());
  const missing = DOCUMENTED.filter((n) => !(n in table));
  assert.deepEqual(missing, []);
  assert.ok(DOCUMENTED.length >= 100);
});
