// The checksum post-processor (Packer core): writes checksum files for the
// artifact's files.

import { type ComponentSchema, field, isUnknown, list } from "../../components/schema.js";

const checksumTypes = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "checksum",
  plugin: "builtin",
  config: {
    fields: {
      checksum_types: field.stringList(
        "Checksums to compute: md5, sha1, sha224, sha256, sha384 or sha512.",
        { default: ["md5"] },
      ),
      output: field.string(
        "Checksum file path; {{.BuildName}}, {{.BuilderType}} and {{.ChecksumType}} are available.",
        { default: "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum" },
      ),
    },
    check(config) {
      const errs: string[] = [];
      for (const t of list(config, "checksum_types")) {
        if (typeof t !== "string" || isUnknown(t)) continue;
        if (!checksumTypes.includes(t)) errs.push(`Unrecognized checksum type: ${t}`);
      }
      return errs;
    },
  },
};
