// Encoding functions: base64decode, base64encode, base64gzip, csvdecode,
// jsondecode, jsonencode, textdecodebase64, textencodebase64, urlencode,
// yamldecode, yamlencode; plus env.

import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { jsonDecode, jsonEncode } from "../cty/json.js";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { goBase64Decode, goBase64DecodeDetailed, goGzip } from "./encoding-base64.js";
import { CsvParseError, CsvReader } from "./encoding-csv.js";
import { lookupEncoding, type TextCodec } from "./encoding-text.js";
import { YamlError, yamlDecode, yamlEncode } from "./encoding-yaml.js";

function str(args: Value[], i: number): string {
  return (args[i] as Value).asString();
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function utf8Bytes(s: string): Buffer {
  return Buffer.from(s, "utf8");
}

const base64encode = new FunctionImpl({
  description: "Encodes the UTF-8 bytes of a string with standard base64.",
  params: [{ name: "str", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(utf8Bytes(str(args, 0)).toString("base64")),
});

const base64decode = new FunctionImpl({
  description: "Decodes a standard base64 string whose bytes are UTF-8 text.",
  params: [{ name: "str", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const s = str(args, 0);
    const bytes = goBase64Decode(s);
    if (bytes === undefined) throw new FunctionError(`failed to decode base64 data '${s}'`);
    try {
      return Value.string(utf8Strict.decode(bytes));
    } catch {
      throw new FunctionError("the result of decoding the the provided string is not valid UTF-8");
    }
  },
});

const base64gzip = new FunctionImpl({
  description: "Compresses the UTF-8 bytes of a string with gzip, then base64-encodes them.",
  params: [{ name: "str", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(Buffer.from(goGzip(utf8Bytes(str(args, 0)))).toString("base64")),
});

function encodingArg(args: Value[]): TextCodec {
  const name = str(args, 1);
  const codec = lookupEncoding(name);
  if (codec === undefined) {
    throw new ArgError(1, `${goQuote(name)} is not a supported IANA encoding name or alias`);
  }
  return codec;
}

const textencodebase64 = new FunctionImpl({
  description: "Encodes a string in the given character encoding, then base64-encodes the bytes.",
  params: [
    { name: "string", type: Type.string },
    { name: "encoding", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const codec = encodingArg(args);
    const bytes = codec.encode(str(args, 0));
    if (bytes === undefined) {
      throw new ArgError(
        0,
        `the given string contains characters that cannot be represented in ${codec.name}`,
      );
    }
    return Value.string(Buffer.from(bytes).toString("base64"));
  },
});

const textdecodebase64 = new FunctionImpl({
  description: "Decodes base64 bytes in the given character encoding into a string.",
  params: [
    { name: "source", type: Type.string },
    { name: "encoding", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const codec = encodingArg(args);
    const r = goBase64DecodeDetailed(str(args, 0));
    if ("corruptAt" in r) {
      throw new ArgError(
        0,
        `the given value is has an invalid base64 symbol at offset ${r.corruptAt}`,
      );
    }
    const decoded = codec.decode(r.bytes);
    if (decoded.includes("\ufffd")) {
      throw new ArgError(
        0,
        `the given string contains symbols that are not defined for ${codec.name}`,
      );
    }
    return Value.string(decoded);
  },
});

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    if (
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += "+";
    } else {
      out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

const urlencode = new FunctionImpl({
  description: "Escapes a string for use in a URL query (form encoding).",
  params: [{ name: "str", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(queryEscape(str(args, 0))),
});

const jsonencode = new FunctionImpl({
  description: "Encodes a value as a JSON string.",
  params: [{ name: "val", type: Type.dynamic, allowNull: true, allowDynamicType: true }],
  type: staticReturnType(Type.string),
  impl: (args, retType) => {
    const v = args[0] as Value;
    if (!v.isWhollyKnown()) return Value.unknown(retType);
    if (v.isNull()) return Value.string("null");
    return Value.string(jsonEncode(v));
  },
});

const jsondecode = new FunctionImpl({
  description: "Decodes a JSON string into the value it represents.",
  params: [{ name: "str", type: Type.string }],
  type: (args) => {
    const s = args[0] as Value;
    if (!s.isKnown()) return Type.dynamic;
    return jsonDecode(s.asString()).type;
  },
  impl: (args) => jsonDecode(str(args, 0)),
});

function yamlCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof YamlError) throw new FunctionError(e.message);
    throw e;
  }
}

const yamlencode = new FunctionImpl({
  description: "Encodes a value as a YAML document.",
  params: [{ name: "value", type: Type.dynamic, allowNull: true, allowDynamicType: true }],
  type: staticReturnType(Type.string),
  impl: (args, retType) => {
    const v = args[0] as Value;
    if (!v.isWhollyKnown()) return Value.unknown(retType);
    return Value.string(yamlCall(() => yamlEncode(v)));
  },
});

const yamldecode = new FunctionImpl({
  description: "Decodes a YAML document into the value it represents.",
  params: [{ name: "src", type: Type.string }],
  type: (args) => {
    const s = args[0] as Value;
    if (!s.isKnown()) return Type.dynamic;
    return yamlCall(() => yamlDecode(s.asString())).type;
  },
  impl: (args) => yamlCall(() => yamlDecode(str(args, 0))),
});

function csvError(e: unknown): never {
  if (e instanceof CsvParseError) throw new FunctionError(e.message);
  throw e;
}

const csvdecode = new FunctionImpl({
  description: "Decodes CSV text (with a header row) into a list of objects.",
  params: [{ name: "str", type: Type.string }],
  type: (args) => {
    const s = args[0] as Value;
    if (!s.isKnown()) return Type.dynamic;
    let headers: string[] | undefined;
    try {
      headers = new CsvReader(s.asString()).read();
    } catch (e) {
      csvError(e);
    }
    if (headers === undefined) throw new FunctionError("missing header line");
    const atys: Record<string, Type> = Object.create(null);
    for (const name of headers) {
      if (Object.hasOwn(atys, name)) {
        throw new FunctionError(`duplicate column name ${goQuote(name)}`);
      }
      atys[name] = Type.string;
    }
    return Type.list(Type.object(atys));
  },
  impl: (args, retType) => {
    const ety = retType.elementType();
    const reader = new CsvReader(str(args, 0));
    reader.fieldsPerRecord = Object.keys(ety.attributeTypes()).length;
    const rows: Value[] = [];
    try {
      const headers = reader.read() as string[];
      for (;;) {
        const cols = reader.read();
        if (cols === undefined) break;
        const vals: Record<string, Value> = Object.create(null);
        cols.forEach((c, i) => {
          vals[headers[i] as string] = Value.string(c);
        });
        rows.push(Value.object(vals));
      }
    } catch (e) {
      csvError(e);
    }
    if (rows.length === 0) return Value.listEmpty(ety);
    return Value.list(rows);
  },
});

const env = new FunctionImpl({
  description: "Returns the value of an environment variable, or an empty string if it is unset.",
  params: [{ name: "key", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(process.env[str(args, 0)] ?? ""),
});

export const encodingFunctions: Record<string, FunctionImpl> = {
  base64decode,
  base64encode,
  base64gzip,
  csvdecode,
  env,
  jsondecode,
  jsonencode,
  textdecodebase64,
  textencodebase64,
  urlencode,
  yamldecode,
  yamlencode,
};
