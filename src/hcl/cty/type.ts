// The cty type system: primitive types, collection types (list, set, map),
// structural types (tuple, object) and the dynamic pseudo-type.

import { goQuote } from "./quote.js";

export type TypeKind =
  | "string"
  | "number"
  | "bool"
  | "list"
  | "set"
  | "map"
  | "tuple"
  | "object"
  | "dynamic";

const EMPTY_SET: ReadonlySet<string> = new Set();
interface TupleNode {
  type: Type | undefined;
  next: Map<Type, TupleNode>;
}
interface ObjectNode {
  type: Type | undefined;
  next: Map<string, Map<Type, ObjectNode>>;
  nextOpt: Map<string, Map<Type, ObjectNode>>;
}
const tupleRoot: TupleNode = { type: undefined, next: new Map() };
const objectRoot: ObjectNode = { type: undefined, next: new Map(), nextOpt: new Map() };

export class Type {
  readonly kind: TypeKind;
  /** Element type of a list, set or map. */
  private readonly elem: Type | undefined;
  /** Element types of a tuple. */
  private readonly elems: readonly Type[] | undefined;
  /** Attribute types of an object (keys sorted). */
  private readonly attrs: Readonly<Record<string, Type>> | undefined;
  private readonly optional: ReadonlySet<string>;
  /** Attribute names of an object in compareStrings order. */
  private readonly names: readonly string[];
  private keyCache: string | undefined;

  private constructor(
    kind: TypeKind,
    elem?: Type,
    elems?: readonly Type[],
    attrs?: Record<string, Type>,
    optional?: ReadonlySet<string>,
    names?: readonly string[],
  ) {
    this.kind = kind;
    this.elem = elem;
    this.elems = elems;
    this.attrs = attrs;
    this.optional = optional ?? EMPTY_SET;
    this.names = names ?? [];
  }

  static readonly string: Type = new Type("string");
  static readonly number: Type = new Type("number");
  static readonly bool: Type = new Type("bool");
  /** cty.DynamicPseudoType: "any type", a placeholder resolved at runtime. */
  static readonly dynamic: Type = new Type("dynamic");
  static readonly emptyObject: Type = new Type("object", undefined, undefined, Object.create(null));
  static readonly emptyTuple: Type = new Type("tuple", undefined, []);

  // Types are hash-consed: structurally equal types are the same object, so
  // equality is identity and per-type caches (e.g. conversions) are cheap.
  private listOf: Type | undefined;
  private setOf: Type | undefined;
  private mapOf: Type | undefined;

  static list(t: Type): Type {
    if (t.listOf === undefined) t.listOf = new Type("list", t);
    return t.listOf;
  }
  static set(t: Type): Type {
    if (t.setOf === undefined) t.setOf = new Type("set", t);
    return t.setOf;
  }
  static map(t: Type): Type {
    if (t.mapOf === undefined) t.mapOf = new Type("map", t);
    return t.mapOf;
  }
  static tuple(ts: readonly Type[]): Type {
    if (ts.length === 0) return Type.emptyTuple;
    let node = tupleRoot;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as Type;
      let next = node.next.get(t);
      if (next === undefined) {
        next = { type: undefined, next: new Map() };
        node.next.set(t, next);
      }
      node = next;
    }
    if (node.type === undefined) node.type = new Type("tuple", undefined, ts.slice());
    return node.type;
  }
  static object(attrs: Record<string, Type>, optional?: Iterable<string>): Type {
    const names = Object.keys(attrs);
    if (names.length === 0) return Type.emptyObject;
    sortStrings(names);
    let opt: Set<string> | undefined;
    if (optional) {
      for (const o of optional) {
        if (!Object.hasOwn(attrs, o)) continue;
        if (!opt) opt = new Set();
        opt.add(o);
      }
    }
    return Type.objectSorted(
      names,
      names.map((n) => attrs[n] as Type),
      opt,
    );
  }

  /** @internal An object type from attribute names already in compareStrings order. */
  static objectSorted(
    names: readonly string[],
    types: readonly Type[],
    opt?: ReadonlySet<string>,
  ): Type {
    if (names.length === 0) return Type.emptyObject;
    let node = objectRoot;
    for (let i = 0; i < names.length; i++) {
      const n = names[i] as string;
      const byName = opt?.has(n) ? node.nextOpt : node.next;
      let byType = byName.get(n);
      if (byType === undefined) {
        byType = new Map();
        byName.set(n, byType);
      }
      const t = types[i] as Type;
      let next = byType.get(t);
      if (next === undefined) {
        next = { type: undefined, next: new Map(), nextOpt: new Map() };
        byType.set(t, next);
      }
      node = next;
    }
    if (node.type === undefined) {
      const sorted: Record<string, Type> = Object.create(null);
      for (let i = 0; i < names.length; i++) sorted[names[i] as string] = types[i] as Type;
      node.type = new Type("object", undefined, undefined, sorted, opt, names.slice());
    }
    return node.type;
  }

  isPrimitive(): boolean {
    return this.kind === "string" || this.kind === "number" || this.kind === "bool";
  }
  isList(): boolean {
    return this.kind === "list";
  }
  isSet(): boolean {
    return this.kind === "set";
  }
  isMap(): boolean {
    return this.kind === "map";
  }
  isTuple(): boolean {
    return this.kind === "tuple";
  }
  isObject(): boolean {
    return this.kind === "object";
  }
  isDynamic(): boolean {
    return this.kind === "dynamic";
  }
  isCollection(): boolean {
    return this.kind === "list" || this.kind === "set" || this.kind === "map";
  }
  isString(): boolean {
    return this.kind === "string";
  }
  isNumber(): boolean {
    return this.kind === "number";
  }
  isBool(): boolean {
    return this.kind === "bool";
  }

  /** Element type of a list, set or map. Throws for other kinds (a programming error). */
  elementType(): Type {
    if (this.elem === undefined) throw new Error(`elementType() called on ${this.friendlyName()}`);
    return this.elem;
  }
  tupleElementTypes(): readonly Type[] {
    if (this.elems === undefined) {
      throw new Error(`tupleElementTypes() called on ${this.friendlyName()}`);
    }
    return this.elems;
  }
  /** Attribute names of an object in lexical (code point) order. */
  attributeNames(): readonly string[] {
    return this.names;
  }

  /**
   * Attribute types of an object. Note: iterate attributeNames() for cty's
   * order; JS objects list integer-like keys first.
   */
  attributeTypes(): Readonly<Record<string, Type>> {
    if (this.attrs === undefined) {
      throw new Error(`attributeTypes() called on ${this.friendlyName()}`);
    }
    return this.attrs;
  }
  attributeType(name: string): Type {
    const t = this.attrs?.[name];
    if (t === undefined) throw new Error(`no attribute ${JSON.stringify(name)}`);
    return t;
  }
  attributeOptional(name: string): boolean {
    return this.optional.has(name);
  }
  optionalAttributes(): ReadonlySet<string> {
    return this.optional;
  }
  hasAttribute(name: string): boolean {
    return this.attrs !== undefined && Object.hasOwn(this.attrs, name);
  }

  /** The same type with every object's optional-attribute markers removed, at any depth. */
  withoutOptionalAttributesDeep(): Type {
    switch (this.kind) {
      case "list":
      case "set":
      case "map": {
        if (!this.hasOptionalDeep()) return this;
        const e = (this.elem as Type).withoutOptionalAttributesDeep();
        return this.kind === "list"
          ? Type.list(e)
          : this.kind === "set"
            ? Type.set(e)
            : Type.map(e);
      }
      case "tuple":
        if (!this.hasOptionalDeep()) return this;
        return Type.tuple((this.elems as Type[]).map((t) => t.withoutOptionalAttributesDeep()));
      case "object": {
        if (!this.hasOptionalDeep()) return this;
        const attrs: Record<string, Type> = Object.create(null);
        for (const n in this.attrs)
          attrs[n] = (this.attrs[n] as Type).withoutOptionalAttributesDeep();
        return Type.object(attrs);
      }
      default:
        return this;
    }
  }

  private hasOptionalDeep(): boolean {
    switch (this.kind) {
      case "list":
      case "set":
      case "map":
        return (this.elem as Type).hasOptionalDeep();
      case "tuple":
        return (this.elems as Type[]).some((t) => t.hasOptionalDeep());
      case "object":
        if (this.optional.size > 0) return true;
        for (const n of this.names)
          if (((this.attrs as Record<string, Type>)[n] as Type).hasOptionalDeep()) return true;
        return false;
      default:
        return false;
    }
  }

  /** True if the type is, or contains, the dynamic pseudo-type. */
  hasDynamicTypes(): boolean {
    switch (this.kind) {
      case "dynamic":
        return true;
      case "list":
      case "set":
      case "map":
        return (this.elem as Type).hasDynamicTypes();
      case "tuple":
        return (this.elems as Type[]).some((t) => t.hasDynamicTypes());
      case "object":
        for (const n of this.names)
          if (((this.attrs as Record<string, Type>)[n] as Type).hasDynamicTypes()) return true;
        return false;
      default:
        return false;
    }
  }

  /** A canonical string for the type, used for equality and hashing. */
  key(): string {
    if (this.keyCache !== undefined) return this.keyCache;
    let k: string;
    switch (this.kind) {
      case "list":
      case "set":
      case "map":
        k = `${this.kind}(${(this.elem as Type).key()})`;
        break;
      case "tuple":
        k = `tuple([${(this.elems as Type[]).map((t) => t.key()).join(",")}])`;
        break;
      case "object":
        k = `object({${this.names
          .map(
            (n) =>
              `${JSON.stringify(n)}${this.optional.has(n) ? "?" : ""}=${this.attrs?.[n]?.key()}`,
          )
          .join(",")}})`;
        break;
      default:
        k = this.kind;
    }
    this.keyCache = k;
    return k;
  }

  equals(o: Type): boolean {
    return this === o;
  }

  /** cty's Type.FriendlyName: "string", "list of string", "tuple", "object", "dynamic"... */
  friendlyName(): string {
    return this.friendly(false);
  }

  /** Like friendlyName, but the dynamic pseudo-type reads "any" (for type constraints). */
  friendlyNameForConstraint(): string {
    return this.friendly(true);
  }

  private friendly(constraint: boolean): string {
    switch (this.kind) {
      case "dynamic":
        return constraint ? "any type" : "dynamic";
      case "list":
        return `list of ${(this.elem as Type).friendly(constraint)}`;
      case "set":
        return `set of ${(this.elem as Type).friendly(constraint)}`;
      case "map":
        return `map of ${(this.elem as Type).friendly(constraint)}`;
      case "tuple":
      case "object":
        return this.kind;
      default:
        return this.kind;
    }
  }

  /**
   * The type as an HCL type-constraint expression, as hcl's typeexpr.TypeString
   * writes it: `list(map(string))`, `object({a=string,b=number})`, `any`.
   */
  toString(): string {
    switch (this.kind) {
      case "dynamic":
        return "any";
      case "string":
      case "number":
      case "bool":
        return this.kind;
      case "list":
      case "set":
      case "map":
        return `${this.kind}(${(this.elem as Type).toString()})`;
      case "tuple":
        return `tuple([${(this.elems as Type[]).map((t) => t.toString()).join(",")}])`;
      case "object": {
        const parts: string[] = [];
        for (const n of this.names) {
          const name = HCL_IDENTIFIER.test(n) ? n : goQuote(n);
          const t = ((this.attrs as Record<string, Type>)[n] as Type).toString();
          parts.push(`${name}=${this.optional.has(n) ? `optional(${t})` : t}`);
        }
        return `object({${parts.join(",")}})`;
      }
    }
  }
}

const NON_TRIVIAL_ORDER = /[\uD800-\uFFFF]/;
const HCL_IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}-]*$/u;

/** Sort strings in place by code point (compareStrings order), using native sort when safe. */
export function sortStrings(keys: string[]): string[] {
  let sorted = true;
  let simple = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (simple && NON_TRIVIAL_ORDER.test(k)) simple = false;
    if (sorted && i > 0 && (keys[i - 1] as string) > k) sorted = false;
  }
  if (sorted && simple) return keys;
  // Without surrogates or U+E000..U+FFFF, UTF-16 order is code point order.
  return simple ? keys.sort() : keys.sort(compareStrings);
}

/**
 * Compare strings by Unicode code point (the same order as Go's byte-wise
 * comparison of UTF-8), which differs from JS's UTF-16 order for astral characters.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) sort after U+E000..U+FFFF.
      if (x < 0xe000) x += 0x10000;
      if (y < 0xe000) y += 0x10000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}
