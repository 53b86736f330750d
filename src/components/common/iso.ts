// Where a builder gets its installation image (packer-plugin-sdk's
// commonsteps.ISOConfig).

import { type ConfigSchema, field, isUnknown, lengthOf, type PlainConfig, str } from "../schema.js";

export const isoConfig: ConfigSchema = {
  fields: {
    iso_checksum: field.string(
      'Checksum of the image: "type:value", a bare value, "file:<url>" or "none".',
    ),
    iso_url: field.string("URL (or path) of the installation image or disk image to use."),
    iso_urls: field.stringList("URLs to try in order for the same image; use instead of iso_url."),
    iso_target_path: field.string(
      "Where to store the downloaded image (default: Packer's cache, named after a hash).",
    ),
    iso_target_extension: field.string("File extension of the downloaded image.", {
      default: "iso",
    }),
  },
  check: (config) => checkISO(config).errors,
  warn: (config) => checkISO(config).warnings,
};

/** The errors and warnings of commonsteps.ISOConfig.Prepare that need no download. */
export function checkISO(config: PlainConfig): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const urls = lengthOf(config, "iso_urls");
  const url = str(config, "iso_url");
  if (urls === undefined || isUnknown(url)) return { errors, warnings };
  if (urls > 0 && url !== "") {
    errors.push("Only one of iso_url or iso_urls must be specified");
    return { errors, warnings };
  }
  if (urls === 0 && url === "") {
    errors.push("One of iso_url or iso_urls must be specified");
    return { errors, warnings };
  }
  const checksum = str(config, "iso_checksum");
  if (isUnknown(checksum)) return { errors, warnings };
  if (checksum === "none") {
    warnings.push(
      "A checksum of 'none' was specified. Since ISO files are so big,\na checksum is highly recommended.",
    );
    return { errors, warnings };
  }
  if (checksum === "") errors.push("A checksum must be specified");
  if (checksum.toLowerCase().endsWith(".iso")) {
    errors.push("Error parsing checksum: .iso is not a valid checksum ending");
  }
  return { errors, warnings };
}
