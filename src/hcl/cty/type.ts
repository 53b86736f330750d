// The cty type system: primitive types, collection types (list, set, map),
// structural types (tuple, object) and the dynamic pseudo-type.

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

export class Type {
  readonly kind: TypeKind;
  /** Element type of a list, set or map. */
  private readonly elem: Type | undefined;
  /** Element types of a tuple. */
  private readonly elems: readonly Type[] | undefined;
  /** Attribute types of an object (keys sorted). */
  private readonly attrs: Readonly<Record<string, Type>> | undefined;
  private readonly optional: ReadonlySet<string>;
  private keyCache: string | undefined;

  private constructor(
    kind: TypeKind,
    elem?: Type,
    elems?: readonly Type[],
    attrs?: Record<string, Type>,
    optional?: ReadonlySet<string>,
  ) {
    this.kind = kind;
    this.elem = elem;
    this.elems = elems;
    this.attrs = attrs;
    this.optional = optional ?? EMPTY_SET;
  }

  static readonly string: Type = new Type("string");
  static readonly number: Type = new Type("number");
  static readonly bool: Type = new Type("bool");
  /** cty.DynamicPseudoType: "any type", a placeholder resolved at runtime. */
  static readonly dynamic: Type = new Type("dynamic");
  static readonly emptyObject: Type = new Type("object", undefined, undefined, {});
  static readonly emptyTuple: Type = new Type("tuple", undefined, []);

  static list(t: Type): Type {
    return new Type("list", t);
  }
  static set(t: Type): Type {
    return new Type("set", t);
  }
  static map(t: Type): Type {
    return new Type("map", t);
  }
  static tuple(ts: readonly Type[]): Type {
    if (ts.length === 0) return Type.emptyTuple;
    return new Type("tuple", undefined, ts.slice());
  }
  static object(attrs: Record<string, Type>, optional?: Iterable<string>): Type {
    const names = Object.keys(attrs);
    if (names.length === 0) return Type.emptyObject;
    names.sort(compareStrings);
    const sorted: Record<string, Type> = Object.create(null);
    for (const n of names) sorted[n] = attrs[n] as Type;
    let opt: Set<string> | undefined;
    if (optional) {
      for (const o of optional) {
        if (!(o in sorted)) continue;
        if (!opt) opt = new Set();
        opt.add(o);
      }
    }
    return new Type("object", undefined, undefined, sorted, opt);
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
  /** Attribute types of an object, keys in lexical order. */
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
        return new Type(this.kind, (this.elem as Type).withoutOptionalAttributesDeep());
      }
      case "tuple":
        if (!this.hasOptionalDeep()) return this;
        return Type.tuple((this.elems as Type[]).map((t) => t.withoutOptionalAttributesDeep()));
      case "object": {
        if (!this.hasOptionalDeep()) return this;
        const attrs: Record<string, Type> = {};
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
        for (const n in this.attrs) if ((this.attrs[n] as Type).hasOptionalDeep()) return true;
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
        for (const n in this.attrs) if ((this.attrs[n] as Type).hasDynamicTypes()) return true;
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
      case "string":
      case "number":
      case "bool":
      case "dynamic":
        k = this.kind;
        break;
      case "list":
      case "set":
      case "map":
        k = `${this.kind}(${(this.elem as Type).key()})`;
        break;
      case "tuple":
        k = `tuple([${(this.elems as Type[]).map((t) => t.key()).join(",")}])`;
        break;
      case "object": {
        const parts: string[] = [];
        for (const n in this.attrs) {
          parts.push(
            `${JSON.stringify(n)}${this.optional.has(n) ? "?" : ""}=${(this.attrs[n] as Type).key()}`,
          );
        }
        k = `object({${parts.join(",")}})`;
        break;
      }
    }
    this.keyCache = k;
    return k;
  }

  equals(o: Type): boolean {
    if (this === o) return true;
    if (this.kind !== o.kind) return false;
    if (this.isPrimitive() || this.kind === "dynamic") return true;
    return this.key() === o.key();
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

  /** The type as an HCL type-constraint expression: `list(map(string))`, `object({a=string})`, `any`. */
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
        return `tuple([${(this.elems as Type[]).map((t) => t.toString()).join(", ")}])`;
      case "object": {
        const parts: string[] = [];
        for (const n in this.attrs) {
          const name = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(n) ? n : JSON.stringify(n);
          const t = (this.attrs[n] as Type).toString();
          parts.push(`${name}=${this.optional.has(n) ? `optional(${t})` : t}`);
        }
        return `object({${parts.join(", ")}})`;
      }
    }
  }
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
