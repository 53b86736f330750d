// The blocks of an upgraded template, each written the way `packer
// hcl2_upgrade` (v1.9.4) writes it: the packer block, input variables,
// locals, data sources for source_ami_filter and aws_secretsmanager, one
// source per builder and the build block with provisioners and
// post-processors. They are produced in Packer's order, because the
// translation of one block can depend on an earlier one (a variable that
// became a local, a data source already created).

import type { Diagnostic } from "../../hcl/diagnostic.js";
import type {
  JSONValue,
  LegacyPostProcessor,
  LegacyProvisioner,
  LegacyTemplate,
} from "../legacy/index.js";
import * as A from "./annotations.js";
import {
  configBody,
  goCompare,
  type HItem,
  type HValue,
  renderItems,
  str,
  Writer,
} from "./hclwrite.js";
import {
  needsLocal,
  newUpgradeState,
  referencedUserVariables,
  transposeBlock,
  type UpgradeState,
} from "./transpose.js";

/** HashiCorp's plugins a required_plugins entry is written for, by component name prefix. */
const KNOWN_PLUGINS: Readonly<Record<string, string>> = {
  amazon: "github.com/hashicorp/amazon",
  ansible: "github.com/hashicorp/ansible",
  azure: "github.com/hashicorp/azure",
  docker: "github.com/hashicorp/docker",
  googlecompute: "github.com/hashicorp/googlecompute",
  qemu: "github.com/hashicorp/qemu",
  vagrant: "github.com/hashicorp/vagrant",
  vmware: "github.com/hashicorp/vmware",
  vsphere: "github.com/hashicorp/vsphere",
};

/** The builders Packer 1.9.4 knows without installing a plugin (its own and the bundled ones). */
const PACKER_BUILDERS = new Set([
  "file",
  "null",
  "amazon-chroot",
  "amazon-ebs",
  "amazon-ebssurrogate",
  "amazon-ebsvolume",
  "amazon-instance",
  "azure-arm",
  "azure-chroot",
  "azure-dtl",
  "docker",
  "googlecompute",
  "qemu",
  "vagrant",
  "virtualbox-iso",
  "virtualbox-ovf",
  "virtualbox-vm",
  "vmware-iso",
  "vmware-vmx",
  "vsphere-clone",
  "vsphere-iso",
]);

/** The keys of the amazon plugin's access configuration, copied into amazon-ami data sources. */
const AWS_ACCESS_KEYS = [
  "access_key",
  "assume_role",
  "aws_polling",
  "custom_endpoint_ec2",
  "decode_authorization_messages",
  "insecure_skip_tls_verify",
  "max_retries",
  "mfa_code",
  "profile",
  "region",
  "secret_key",
  "shared_credentials_file",
  "skip_credential_validation",
  "skip_metadata_api_check",
  "token",
  "vault_aws_engine",
];

function pluginOf(componentType: string): string | undefined {
  for (const [prefix, source] of Object.entries(KNOWN_PLUGINS)) {
    if (componentType.startsWith(prefix)) return source;
  }
  return undefined;
}

/** A problem Packer reports on stderr while still writing the file (the exit status becomes 1). */
export function upgradeError(message: string): Diagnostic {
  return {
    severity: "error",
    summary: message,
    extra: { code: "upgrade", packerMessage: message },
  };
}

const attr = (name: string, value: HValue): HItem => ({ kind: "attribute", name, value });
const block = (type: string, labels: string[], body: HItem[]): HItem => ({
  kind: "block",
  type,
  labels,
  body,
});
const NEWLINE: HItem = { kind: "newline" };

/** A builder as the upgrade sees it; name and config are rewritten along the way. */
interface UpgradeBuilder {
  type: string;
  name: string;
  config: Record<string, JSONValue>;
}

function packerBlock(t: LegacyTemplate): string {
  const plugins = new Set<string>();
  const types = [
    ...t.builders.map((b) => b.type),
    ...t.provisioners.map((p) => p.type),
    ...t.postProcessors.flat().map((pp) => pp.type),
  ];
  for (const type of types) {
    const p = pluginOf(type);
    if (p) plugins.add(p);
  }
  if (t.minVersion === "" && plugins.size === 0) return "";
  const body: HItem[] = [];
  if (t.minVersion !== "") body.push(attr("required_version", str(`>= ${t.minVersion}`, false)));
  if (plugins.size > 0) {
    const entries = [...plugins].sort(goCompare).map((p) =>
      attr(p.replace("github.com/hashicorp/", ""), {
        kind: "object",
        entries: [
          ["source", str(p, false)],
          ["version", str("~> 1", false)],
        ],
      }),
    );
    body.push(block("required_plugins", [], entries));
  }
  return renderItems([block("packer", [], body)]);
}

interface VariableEntry {
  name: string;
  default: string;
  required: boolean;
  sensitive: boolean;
}

/** Input variables, and the variables that must become locals (`locals` is their text). */
function variableBlocks(t: LegacyTemplate, state: UpgradeState): { vars: string; locals: string } {
  const entries: VariableEntry[] = t.variables.map((v) => ({ ...v }));
  const declared = new Set(entries.map((v) => v.name));
  // Variables only a -var-file declares are still referenced with {{user}}.
  for (const name of referencedUserVariables(t.rawContents.toString("utf8"))) {
    if (declared.has(name)) continue;
    declared.add(name);
    entries.push({ name, default: "", required: true, sensitive: false });
  }
  entries.sort((a, b) => goCompare(a.name, b.name));

  let vars = "";
  let locals = "";
  const shared: HItem[] = [];
  for (const v of entries) {
    if (needsLocal(v.default)) {
      state.locals.add(v.name);
      if (v.sensitive) {
        const body = [
          attr("sensitive", { kind: "bool", value: true }),
          attr("expression", str(v.default)),
        ];
        const w = new Writer().text("\n").items([block("local", [v.name], body)]);
        locals += transposeBlock(w.parts, state);
      } else {
        shared.push(attr(v.name, str(v.default)));
      }
      continue;
    }
    const body: HItem[] = [attr("type", { kind: "raw", text: "string" })];
    if (v.default !== "" || !v.required) body.push(attr("default", str(v.default)));
    if (v.sensitive) body.push(attr("sensitive", { kind: "bool", value: true }));
    const w = new Writer().text("\n").items([block("variable", [v.name], body)]);
    vars += transposeBlock(w.parts, state, "variable");
  }
  if (shared.length > 0) {
    locals += transposeBlock(
      new Writer().text("\n").items([block("locals", [], shared)]).parts,
      state,
    );
  }
  return { vars, locals };
}

function deepEqual(a: JSONValue, b: JSONValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  }
  const ka = Object.keys(a);
  const ob = b as Record<string, JSONValue>;
  return (
    ka.length === Object.keys(ob).length &&
    ka.every((k) => Object.hasOwn(ob, k) && deepEqual((a as Record<string, JSONValue>)[k]!, ob[k]!))
  );
}

/** Go's name for a JSON value's kind, as mapstructure reports it. */
function goKind(v: JSONValue): string {
  if (Array.isArray(v)) return "slice";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
  }
  return "map";
}

/**
 * amazon-ami data sources for the source_ami_filter of amazon builders (the
 * builder then reads its source_ami from it); equal filters share one.
 */
function amiDataSources(
  builders: UpgradeBuilder[],
  state: UpgradeState,
  diags: Diagnostic[],
): string {
  let out = "";
  const filters: Record<string, JSONValue>[] = [];
  for (const b of builders) {
    if (!b.type.startsWith("amazon-") || !Object.hasOwn(b.config, "source_ami_filter")) continue;
    const raw = b.config.source_ami_filter!;
    if (raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
      diags.push(
        upgradeError(
          `Ignoring following amazonAmiDatasource.Parse error: Failed to write amazon-ami data source: '' expected a map, got '${goKind(raw)}'`,
        ),
      );
      break;
    }
    const filter: Record<string, JSONValue> = { ...(raw ?? {}) };
    for (const k of AWS_ACCESS_KEYS) if (Object.hasOwn(b.config, k)) filter[k] = b.config[k]!;
    let name = `autogenerated_${filters.length + 1}`;
    const same = filters.findIndex((f) => deepEqual(f, filter));
    if (same >= 0) name = `autogenerated_${same + 1}`;
    delete b.config.source_ami_filter;
    b.config.source_ami = `{{ data \`amazon-ami.${name}.id\` }}`;
    if (same >= 0) continue;
    filters.push(filter);
    const w = new Writer()
      .text("\n")
      .items([block("data", ["amazon-ami", name], configBody(filter))]);
    out += transposeBlock(w.parts, state);
  }
  return out;
}

/** Go's strings.TrimSpace. */
function goTrimSpace(s: string): string {
  return s.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    "",
  );
}

function sourceBlocks(
  builders: UpgradeBuilder[],
  state: UpgradeState,
  diags: Diagnostic[],
): string {
  let out = "";
  const unknown: string[] = [];
  builders.forEach((b, i) => {
    if (!PACKER_BUILDERS.has(b.type) && pluginOf(b.type) === undefined) unknown.push(b.type);
    if (b.name === "" || b.name === b.type) b.name = `autogenerated_${i + 1}`;
    b.name = goTrimSpace(b.name).replaceAll(" ", "_");
    const w = new Writer()
      .text("\n")
      .items([block("source", [b.type, b.name], configBody(b.config))]);
    out += transposeBlock(w.parts, state);
  });
  if (unknown.length > 0) {
    diags.push(
      upgradeError(
        `Ignoring following sources.Parse error: unknown builder type(s): [${unknown.join(" ")}]\n`,
      ),
    );
  }
  return out;
}

/** Go's time.Duration.String. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  const frac = (v: bigint, digits: number): [string, bigint] => {
    const unit = 10n ** BigInt(digits);
    const f = (v % unit).toString().padStart(digits, "0").replace(/0+$/, "");
    return [f === "" ? "" : `.${f}`, v / unit];
  };
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) {
      const [f, whole] = frac(u, 3);
      out = `${whole}${f}µs`;
    } else {
      const [f, whole] = frac(u, 6);
      out = `${whole}${f}ms`;
    }
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

function provisionerBlock(typeName: string, p: LegacyProvisioner, state: UpgradeState): string {
  const cfg: Record<string, JSONValue> = { ...p.config };
  if (p.except.length > 0) cfg.except = p.except;
  if (p.only.length > 0) cfg.only = p.only;
  if (p.maxRetries !== "") cfg.max_retries = p.maxRetries;
  if (p.timeout > 0n) cfg.timeout = goDuration(p.timeout);
  if (p.pauseBefore > 0n) cfg.pause_before = goDuration(p.pauseBefore);
  const w = new Writer().items([block(typeName, [p.type], configBody(cfg))]).text("\n");
  return transposeBlock(w.parts, state);
}

function postProcessorItem(pp: LegacyPostProcessor): HItem {
  const body: HItem[] = [];
  if (pp.keepInputArtifact !== undefined) {
    body.push(attr("keep_input_artifact", { kind: "bool", value: pp.keepInputArtifact }));
  }
  const cfg: Record<string, JSONValue> = { ...pp.config };
  if (pp.except.length > 0) cfg.except = pp.except;
  if (pp.only.length > 0) cfg.only = pp.only;
  if (pp.name !== "" && pp.name !== pp.type) cfg.name = pp.name;
  body.push(...configBody(cfg));
  return block("post-processor", [pp.type], body);
}

/** The inside of the build block (Packer writes `build {` and `}` around it). */
function buildBody(t: LegacyTemplate, builders: UpgradeBuilder[], state: UpgradeState): string {
  const head: HItem[] = [];
  if (t.description !== "") head.push(attr("description", str(t.description, false)), NEWLINE);
  const sources = builders.map((b) => str(`source.${b.type}.${b.name}`, false));
  head.push(attr("sources", { kind: "list", items: sources }), NEWLINE);
  let out = renderItems(head);
  for (const p of t.provisioners) out += provisionerBlock("provisioner", p, state);
  if (t.cleanupProvisioner) {
    out += provisionerBlock("error-cleanup-provisioner", t.cleanupProvisioner, state);
  }
  for (const chain of t.postProcessors) {
    if (chain.length === 0) continue;
    const items = chain.map(postProcessorItem);
    const top = items.length === 1 ? items : [block("post-processors", [], items)];
    out += transposeBlock(new Writer().items(top).parts, state);
  }
  return out;
}

function secretDataSources(state: UpgradeState): string {
  let out = "";
  for (const id of [...state.secrets.keys()].sort(goCompare)) {
    const s = state.secrets.get(id)!;
    const cfg: Record<string, JSONValue> = s.key === undefined ? { name: s.name } : { ...s };
    out += renderItems([NEWLINE, block("data", ["amazon-secretsmanager", id], configBody(cfg))]);
  }
  return out;
}

/**
 * Every block of the upgraded template, unformatted, in Packer's layout.
 * Problems Packer reports while still writing the file go to `diags`.
 */
export function upgradeBody(
  t: LegacyTemplate,
  withAnnotations: boolean,
  diags: Diagnostic[],
): string {
  const ann = (text: string) => (withAnnotations ? text : "");
  const state = newUpgradeState();
  const packer = packerBlock(t);
  const { vars, locals } = variableBlocks(t, state);
  const builders: UpgradeBuilder[] = t.builders
    .map((b) => ({ type: b.type, name: b.name, config: { ...b.config } }))
    .sort((a, b) => goCompare(a.type + a.name, b.type + b.name));
  const ami = amiDataSources(builders, state, diags);
  const sources = sourceBlocks(builders, state, diags);
  const build = builders.length > 0 ? buildBody(t, builders, state) : "";
  const secrets = secretDataSources(state);

  let out = "";
  if (packer) out += ann(A.PACKER_HEADER) + packer;
  if (vars) out += ann(A.VARIABLES_HEADER) + vars;
  if (secrets) out += ann(A.SECRETS_HEADER) + secrets;
  if (ami) out += ann(A.AMI_HEADER) + ami;
  if (state.timestamp) {
    out += `\n${ann(`${A.TIMESTAMP_NOTE}\n`)}locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }\n`;
  }
  for (const [used, fn] of [
    [state.isotime, "legacy_isotime"],
    [state.strftime, "legacy_strftime"],
  ] as const) {
    if (used) {
      out += `# The "${fn}" function has been provided for backwards compatability, but we recommend switching to the timestamp and formatdate functions.\n`;
    }
  }
  if (locals) out += ann(A.LOCALS_HEADER) + locals;
  if (sources) out += ann(A.SOURCES_HEADER) + sources;
  if (build) out += `${withAnnotations ? A.BUILD_HEADER : "\n"}build {\n${build}}\n`;
  return out;
}
