// The legacy JSON template model: what Packer's template.Parse makes of a
// .json template (description, min_packer_version, variables,
// sensitive-variables, builders, provisioners, post-processors in their three
// forms, error-cleanup-provisioner, "_" comments), with Packer's checks and
// error wording, and every problem as a Diagnostic pointing into the file.
// Semantic validation (Template.Validate and Core.Validate) is here too;
// variable values and loading from disk are in load.ts.

import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Range } from "../../hcl/pos.js";
import { PACKER_COMPAT_VERSION } from "../../version.js";
import { type DecodeProblem, Decoder, formatGoV, goKind, goType, matchFields } from "./decode.js";
import {
  firstDuplicateKey,
  type JNode,
  type JObject,
  type JProp,
  type JSONValue,
  parseJSONDocument,
  startRange,
  toPlain,
} from "./json.js";
import { compareGoVersions, formatGoVersion, parseGoVersion } from "./version.js";

export interface LegacyVariable {
  name: string;
  /** The default as written (before interpolation); "" for required variables. */
  default: string;
  /** True when the default is JSON null: a value must be given. */
  required: boolean;
  /** Listed in "sensitive-variables". */
  sensitive: boolean;
  keyRange: Range;
  valueRange: Range;
}

export interface OnlyExcept {
  only: string[];
  except: string[];
}

export interface LegacyBuilder {
  /** 1-based position in "builders". */
  index: number;
  /** The name as written ("name", else the type); may contain "{{ }}". */
  name: string;
  type: string;
  /** The name after interpolation with the user variables (set by loadLegacyTemplate). */
  buildName?: string;
  /** Everything but "name" and "type". */
  config: Record<string, JSONValue>;
  node: JObject;
  range: Range;
}

export interface LegacyProvisioner extends OnlyExcept {
  /** 1-based position in "provisioners" (0 for the error-cleanup provisioner). */
  index: number;
  type: string;
  /** Per-builder configuration overrides, keyed by builder name. */
  override?: Record<string, JSONValue>;
  /** Nanoseconds. */
  pauseBefore: bigint;
  /** As written; Packer interpolates it at build time. */
  maxRetries: string;
  /** Nanoseconds. */
  timeout: bigint;
  /** Everything but the keys above. */
  config: Record<string, JSONValue>;
  node: JObject;
  range: Range;
}

export interface LegacyPostProcessor extends OnlyExcept {
  /** 1-based chain and position within the chain. */
  chain: number;
  index: number;
  /** "name", else the type. */
  name: string;
  type: string;
  keepInputArtifact?: boolean;
  /** Everything but only, except, keep_input_artifact, type and name. */
  config: Record<string, JSONValue>;
  /** The object, or the string of the short form. */
  node: JNode;
  range: Range;
}

export interface LegacyTemplate {
  filename: string;
  description: string;
  minVersion: string;
  /** Root-level "_..." keys and the "comments" list. */
  comments: Record<string, string>;
  /** In source order. */
  variables: LegacyVariable[];
  /** As listed in "sensitive-variables" (names without a variable are ignored by Packer). */
  sensitiveVariableNames: string[];
  /** In source order; names are unique. */
  builders: LegacyBuilder[];
  provisioners: LegacyProvisioner[];
  cleanupProvisioner?: LegacyProvisioner;
  /** Each element is a chain. */
  postProcessors: LegacyPostProcessor[][];
  push?: Record<string, JSONValue>;
  /** The parsed document (null for a template that is just `null`). */
  root: JObject | null;
  rawContents: Buffer;
  /** After loadLegacyTemplate: every user variable's final value (declared or given). */
  userVariables?: Record<string, string>;
  /** After loadLegacyTemplate: the values of sensitive variables, to be masked in output. */
  secrets?: string[];
}

export interface ParseLegacyResult {
  template?: LegacyTemplate;
  diags: Diagnostic[];
}

type Phase = "json" | "decode" | "template" | "validate" | "variables";

/** A Diagnostic carrying Packer's message. */
export function legacyDiag(message: string, subject: Range | undefined, phase: Phase): Diagnostic {
  const d: Diagnostic = {
    severity: "error",
    summary: message,
    extra: { code: `legacy-${phase}`, packerMessage: message },
  };
  if (subject) d.subject = subject;
  return d;
}

function propValue(p: JProp | undefined): JNode | undefined {
  return p?.value;
}

function configOf(obj: JObject, remove: readonly string[]): Record<string, JSONValue> {
  const out: Record<string, JSONValue> = {};
  for (const p of obj.props) if (!remove.includes(p.key)) out[p.key] = toPlain(p.value);
  return out;
}

function problemsToDiags(prefix: string, problems: DecodeProblem[], phase: Phase): Diagnostic[] {
  return [...problems]
    .sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0))
    .map((p) => legacyDiag(prefix + p.message, p.node.range, phase));
}

/** The JSON value's range for a subject: one line for objects/arrays (their opening). */
function subjectOf(n: JNode): Range {
  return n.kind === "object" || n.kind === "array" ? startRange(n) : n.range;
}

const TOP_FIELDS = [
  "min_packer_version",
  "Description",
  "builders",
  "Comments",
  "Push",
  "post-processors",
  "Provisioners",
  "error-cleanup-provisioner",
  "Variables",
  "sensitive-variables",
  "RawContents",
] as const;

const PROVISIONER_FIELDS = [
  "Only",
  "Except",
  "Type",
  "Config",
  "Override",
  "pause_before",
  "max_retries",
  "timeout",
];
const PROVISIONER_SPECIAL = [
  "except",
  "only",
  "override",
  "pause_before",
  "max_retries",
  "type",
  "timeout",
];

/** Packer's decodeProvisioner; problems are returned as messages with their nodes. */
function decodeProvisioner(
  n: JNode,
  index: number,
): { p?: LegacyProvisioner; problems: { message: string; node: JNode }[] } {
  if (n.kind !== "object" && n.kind !== "null") {
    return {
      problems: [
        { message: `Error decoding provisioner: '' expected a map, got '${goKind(n)}'`, node: n },
      ],
    };
  }
  const obj: JObject = n.kind === "object" ? n : { kind: "object", props: [], range: n.range };
  const dec = new Decoder(true);
  const { found } = matchFields(obj, PROVISIONER_FIELDS);
  const get = (f: string) => propValue(found.get(f));
  const only = get("Only");
  const except = get("Except");
  const type = get("Type");
  const cfg = get("Config");
  const override = get("Override");
  const pause = get("pause_before");
  const retries = get("max_retries");
  const timeout = get("timeout");
  const p: LegacyProvisioner = {
    index,
    type: (type && dec.string("Type", type)) ?? "",
    only: (only && dec.stringList("Only", only)) ?? [],
    except: (except && dec.stringList("Except", except)) ?? [],
    pauseBefore: (pause && dec.duration("pause_before", pause)) ?? 0n,
    maxRetries: (retries && dec.string("max_retries", retries)) ?? "",
    timeout: (timeout && dec.duration("timeout", timeout)) ?? 0n,
    config: {},
    node: obj,
    range: obj.range,
  };
  if (cfg) dec.map("Config", cfg);
  if (override) {
    const m = dec.map("Override", override);
    if (m) p.override = toPlain(m) as Record<string, JSONValue>;
  }
  if (dec.problems.length > 0) {
    return {
      problems: [...dec.problems]
        .sort((a, b) => (a.message < b.message ? -1 : 1))
        .map((x) => ({ message: `Error decoding provisioner: ${x.message}`, node: x.node })),
    };
  }
  if (p.type === "") return { problems: [{ message: "Provisioner missing 'type'", node: n }] };
  p.config = configOf(obj, PROVISIONER_SPECIAL);
  return { p, problems: [] };
}

/** Parse a legacy JSON template as Packer's template.Parse does. Never throws. */
export function parseLegacyTemplate(src: string | Buffer, filename: string): ParseLegacyResult {
  const raw = typeof src === "string" ? Buffer.from(src, "utf8") : src;
  const parsed = parseJSONDocument(raw, filename);
  if (!parsed.ok) {
    const e = parsed.error;
    const d = legacyDiag(`Error parsing JSON: ${e.message}`, e.range, "json");
    d.detail = `At line ${e.range.start.line}, column ${e.range.start.column} (offset ${e.offset})`;
    return { diags: [d] };
  }
  const doc = parsed.node;
  const huge = findOutOfRangeNumber(doc);
  if (huge) {
    return {
      diags: [
        legacyDiag(
          `json: cannot unmarshal number ${huge.text} into Go value of type float64`,
          huge.range,
          "json",
        ),
      ],
    };
  }
  const dup = firstDuplicateKey(doc);
  if (dup)
    return {
      diags: [legacyDiag(`template has duplicate field: ${dup.key}`, dup.keyRange, "json")],
    };

  const t: LegacyTemplate = {
    filename,
    description: "",
    minVersion: "",
    comments: {},
    variables: [],
    sensitiveVariableNames: [],
    builders: [],
    provisioners: [],
    postProcessors: [],
    root: null,
    rawContents: raw,
  };
  if (doc.kind === "null") return { template: t, diags: [] };
  if (doc.kind !== "object") {
    return {
      diags: [legacyDiag(`'' expected a map, got '${goKind(doc)}'`, subjectOf(doc), "decode")],
    };
  }
  t.root = doc;

  // --- the root object, decoded like mapstructure into rawTemplate ----------
  const dec = new Decoder(false);
  const { found, unused } = matchFields(doc, TOP_FIELDS);
  const field = (f: (typeof TOP_FIELDS)[number]) => propValue(found.get(f));

  const minV = field("min_packer_version");
  if (minV) t.minVersion = dec.string("min_packer_version", minV) ?? "";
  const desc = field("Description");
  if (desc) t.description = dec.string("Description", desc) ?? "";
  const builderNodes = field("builders")
    ? dec.list("builders", field("builders") as JNode)
    : undefined;
  const commentsNode = field("Comments");
  if (commentsNode) {
    const items = dec.list("Comments", commentsNode);
    items?.forEach((item, i) => {
      const m = dec.map(`Comments[${i}]`, item);
      for (const p of m?.props ?? []) {
        const s = dec.string(`Comments[${i}][${p.key}]`, p.value);
        if (s !== undefined) t.comments[p.key] = s;
      }
    });
  }
  const pushNode = field("Push");
  if (pushNode) {
    const m = dec.map("Push", pushNode);
    if (m) t.push = toPlain(m) as Record<string, JSONValue>;
  }
  const ppNodes = field("post-processors")
    ? dec.list("post-processors", field("post-processors") as JNode)
    : undefined;
  const provNodes = field("Provisioners")
    ? dec.list("Provisioners", field("Provisioners") as JNode)
    : undefined;
  const cleanupNode = field("error-cleanup-provisioner");
  const varsNode = field("Variables")
    ? dec.map("Variables", field("Variables") as JNode)
    : undefined;
  const sensNode = field("sensitive-variables");
  if (sensNode) t.sensitiveVariableNames = dec.stringList("sensitive-variables", sensNode) ?? [];
  const rawNode = field("RawContents");
  if (rawNode) dec.list("RawContents", rawNode);
  if (dec.problems.length > 0) return { diags: problemsToDiags("", dec.problems, "decode") };

  // --- root keys no field took: "_" comments, else unknown ---------------------
  const unknown: Diagnostic[] = [];
  for (const p of [...unused].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (p.key.startsWith("_")) {
      if (p.value.kind !== "string") {
        return {
          diags: [
            legacyDiag(
              `Failed to cast root level comment value in comment "${p.key}" to string.`,
              subjectOf(p.value),
              "decode",
            ),
          ],
        };
      }
      t.comments[p.key] = p.value.value;
      continue;
    }
    unknown.push(
      legacyDiag(`Unknown root level key in template: '${p.key}'`, p.keyRange, "decode"),
    );
  }
  if (unknown.length > 0) return { diags: unknown };

  // --- rawTemplate.Template() ----------------------------------------------------
  const diags: Diagnostic[] = [];
  const sensitive = new Set(t.sensitiveVariableNames);
  for (const p of varsNode?.props ?? []) {
    const v = p.value;
    if (v.kind !== "string" && v.kind !== "null") {
      diags.push(
        legacyDiag(
          `variable ${p.key}: '' expected type 'string', got unconvertible type '${goType(v)}', value: '${formatGoV(toPlain(v))}'`,
          subjectOf(v),
          "template",
        ),
      );
      continue;
    }
    t.variables.push({
      name: p.key,
      default: v.kind === "string" ? v.value : "",
      required: v.kind === "null",
      sensitive: sensitive.has(p.key),
      keyRange: p.keyRange,
      valueRange: v.range,
    });
  }

  const builderNames = new Set<string>();
  (builderNodes ?? []).forEach((bn, i) => {
    const n = i + 1;
    if (bn.kind === "null") {
      diags.push(
        legacyDiag(`builder ${n}: expected a JSON object, got null`, bn.range, "template"),
      );
      return;
    }
    if (bn.kind !== "object") {
      diags.push(
        legacyDiag(
          `builder ${n}: '' expected a map, got '${goKind(bn)}'`,
          subjectOf(bn),
          "template",
        ),
      );
      return;
    }
    const bdec = new Decoder(true);
    const { found: bf } = matchFields(bn, ["Name", "Type", "Config"]);
    const nameNode = propValue(bf.get("Name"));
    const typeNode = propValue(bf.get("Type"));
    const cfgNode = propValue(bf.get("Config"));
    let name = (nameNode && bdec.string("Name", nameNode)) ?? "";
    const type = (typeNode && bdec.string("Type", typeNode)) ?? "";
    if (cfgNode) bdec.map("Config", cfgNode);
    if (bdec.problems.length > 0) {
      diags.push(...problemsToDiags(`builder ${n}: `, bdec.problems, "template"));
      return;
    }
    if (type === "") {
      diags.push(legacyDiag(`builder ${n}: missing 'type'`, startRange(bn), "template"));
      return;
    }
    if (name === "") name = type;
    if (builderNames.has(name)) {
      diags.push(
        legacyDiag(
          `builder ${n}: builder with name '${name}' already exists`,
          (nameNode ?? typeNode)?.range ?? startRange(bn),
          "template",
        ),
      );
      return;
    }
    builderNames.add(name);
    t.builders.push({
      index: n,
      name,
      type,
      config: configOf(bn, ["name", "type"]),
      node: bn,
      range: bn.range,
    });
  });

  (ppNodes ?? []).forEach((raw, i) => {
    const chainNo = i + 1;
    let configs: JNode[];
    if (raw.kind === "string" || raw.kind === "object") configs = [raw];
    else if (raw.kind === "array") {
      let bad = false;
      raw.items.forEach((inner, j) => {
        if (inner.kind === "array") {
          diags.push(
            legacyDiag(
              `post-processor ${chainNo}.${j + 1}: sequence not allowed to be nested in a sequence`,
              subjectOf(inner),
              "template",
            ),
          );
          bad = true;
        } else if (inner.kind !== "string" && inner.kind !== "object") {
          diags.push(
            legacyDiag(
              `post-processor ${chainNo}.${j + 1}: unknown format`,
              inner.range,
              "template",
            ),
          );
          bad = true;
        }
      });
      if (bad) return;
      configs = raw.items;
    } else {
      diags.push(legacyDiag(`post-processor ${chainNo}: bad format`, raw.range, "template"));
      return;
    }
    const chain: LegacyPostProcessor[] = [];
    configs.forEach((c, j) => {
      const at = `post-processor ${chainNo}.${j + 1}: `;
      if (c.kind === "string") {
        if (c.value === "") {
          diags.push(legacyDiag(`${at}type is required`, c.range, "template"));
          return;
        }
        chain.push({
          chain: chainNo,
          index: j + 1,
          name: c.value,
          type: c.value,
          only: [],
          except: [],
          config: {},
          node: c,
          range: c.range,
        });
        return;
      }
      const obj = c as JObject;
      const pdec = new Decoder(false);
      const { found: pf } = matchFields(obj, [
        "Only",
        "Except",
        "Name",
        "Type",
        "keep_input_artifact",
        "Config",
      ]);
      const g = (f: string) => propValue(pf.get(f));
      const onlyN = g("Only");
      const exceptN = g("Except");
      const nameN = g("Name");
      const typeN = g("Type");
      const keepN = g("keep_input_artifact");
      const cfgN = g("Config");
      const pp: LegacyPostProcessor = {
        chain: chainNo,
        index: j + 1,
        only: (onlyN && pdec.stringList("Only", onlyN)) ?? [],
        except: (exceptN && pdec.stringList("Except", exceptN)) ?? [],
        name: (nameN && pdec.string("Name", nameN)) ?? "",
        type: (typeN && pdec.string("Type", typeN)) ?? "",
        config: {},
        node: obj,
        range: obj.range,
      };
      const keep = keepN ? pdec.bool("keep_input_artifact", keepN) : undefined;
      if (keep !== undefined) pp.keepInputArtifact = keep;
      if (cfgN) pdec.map("Config", cfgN);
      if (pdec.problems.length > 0) {
        diags.push(...problemsToDiags(at, pdec.problems, "template"));
        return;
      }
      if (pp.type === "") {
        diags.push(legacyDiag(`${at}type is required`, startRange(obj), "template"));
        return;
      }
      if (pp.name === "") pp.name = pp.type;
      pp.config = configOf(obj, ["except", "only", "keep_input_artifact", "type", "name"]);
      chain.push(pp);
    });
    t.postProcessors.push(chain);
  });

  (provNodes ?? []).forEach((pn, i) => {
    const r = decodeProvisioner(pn, i + 1);
    for (const pr of r.problems) {
      diags.push(legacyDiag(`provisioner ${i + 1}: ${pr.message}`, subjectOf(pr.node), "template"));
    }
    if (r.p) t.provisioners.push(r.p);
  });

  if (cleanupNode && cleanupNode.kind !== "null") {
    const r = decodeProvisioner(cleanupNode, 0);
    for (const pr of r.problems) {
      diags.push(
        legacyDiag(
          `On Error Cleanup Provisioner error: ${pr.message}`,
          subjectOf(pr.node),
          "template",
        ),
      );
    }
    if (r.p) t.cleanupProvisioner = r.p;
  }

  if (diags.length > 0) return { diags };
  return { template: t, diags: [] };
}

function findOutOfRangeNumber(n: JNode): (JNode & { kind: "number" }) | undefined {
  switch (n.kind) {
    case "number":
      return Number.isFinite(n.value) ? undefined : n;
    case "array":
      for (const x of n.items) {
        const f = findOutOfRangeNumber(x);
        if (f) return f;
      }
      return undefined;
    case "object":
      for (const p of n.props) {
        const f = findOutOfRangeNumber(p.value);
        if (f) return f;
      }
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Validation: Packer's Template.Validate and the checks of Core.Validate

function onlyExceptDiags(
  oe: OnlyExcept,
  node: JNode,
  builders: ReadonlySet<string>,
  prefix: string,
): Diagnostic[] {
  const obj = node.kind === "object" ? node : undefined;
  const keyed = (key: string): JNode | undefined =>
    obj?.props.find((p) => p.key.toLowerCase() === key)?.value;
  if (oe.only.length > 0 && oe.except.length > 0) {
    const at = keyed("except") ?? node;
    return [
      legacyDiag(
        `${prefix}only one of 'only' or 'except' may be specified`,
        subjectOf(at),
        "validate",
      ),
    ];
  }
  const out: Diagnostic[] = [];
  for (const [list, key] of [
    [oe.only, "only"],
    [oe.except, "except"],
  ] as const) {
    const listNode = keyed(key);
    list.forEach((name, i) => {
      if (builders.has(name)) return;
      const item = listNode?.kind === "array" ? listNode.items[i] : listNode;
      out.push(
        legacyDiag(
          `${prefix}'${key}' specified builder '${name}' not found`,
          item ? subjectOf(item) : subjectOf(node),
          "validate",
        ),
      );
    });
  }
  return out;
}

/**
 * Packer's Template.Validate: at least one builder, and only/except/override
 * naming builders that exist.
 */
export function validateLegacyStructure(t: LegacyTemplate): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const names = new Set(t.builders.map((b) => b.name));
  if (names.size === 0) {
    const key = t.root?.props.find((p) => p.key.toLowerCase() === "builders");
    const at = key ? key.keyRange : t.root ? startRange(t.root) : undefined;
    diags.push(legacyDiag("at least one builder must be defined", at, "validate"));
  }
  t.provisioners.forEach((p, i) => {
    diags.push(...onlyExceptDiags(p, p.node, names, `provisioner ${i + 1}: `));
    if (p.override) {
      const overrideNode = p.node.props.find((x) => x.key.toLowerCase() === "override")?.value;
      for (const name of Object.keys(p.override)) {
        if (names.has(name)) continue;
        const keyProp =
          overrideNode?.kind === "object"
            ? overrideNode.props.find((x) => x.key === name)
            : undefined;
        diags.push(
          legacyDiag(
            `provisioner ${i + 1}: override '${name}' doesn't exist`,
            keyProp?.keyRange ?? subjectOf(p.node),
            "validate",
          ),
        );
      }
    }
  });
  t.postProcessors.forEach((chain, i) => {
    chain.forEach((pp, j) => {
      diags.push(...onlyExceptDiags(pp, pp.node, names, `post-processor ${i + 1}.${j + 1}: `));
    });
  });
  return diags;
}

/** The min_packer_version check against the Packer version kiln follows. */
export function checkMinVersion(
  t: LegacyTemplate,
  packerVersion = PACKER_COMPAT_VERSION,
): Diagnostic[] {
  if (t.minVersion === "") return [];
  const node = t.root?.props.find((p) => p.key.toLowerCase() === "min_packer_version")?.value;
  const at = node?.range;
  const actual = parseGoVersion(packerVersion).version;
  const min = parseGoVersion(t.minVersion);
  if (!min.version) return [legacyDiag(`min_version is invalid: ${min.error}`, at, "validate")];
  if (actual && compareGoVersions(actual, min.version) < 0) {
    return [
      legacyDiag(
        `This template requires Packer version ${formatGoVersion(min.version)} or higher; using ${formatGoVersion(actual)}`,
        at,
        "validate",
      ),
    ];
  }
  return [];
}

/** Required variables (null default) that were given no value. */
export function checkRequiredVariables(
  t: LegacyTemplate,
  given: Readonly<Record<string, string>>,
): Diagnostic[] {
  return t.variables
    .filter((v) => v.required && !Object.hasOwn(given, v.name))
    .map((v) => legacyDiag(`required variable not set: ${v.name}`, v.keyRange, "validate"));
}
