// Things only some functions need, made on first use so that starting kiln
// (and every template that does not call those functions) does not pay for
// them: Node built-ins and CommonJS packages, loaded synchronously, and
// regular expressions with Unicode property classes, which V8 validates (an
// ICU lookup per \p{...}) when it compiles a module containing them as literals.

import { createRequire } from "node:module";

let require: NodeJS.Require | undefined;

/** A getter that loads module `id` on its first call and returns it from then on. */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    require ??= createRequire(import.meta.url);
    loaded ??= require(id) as T;
    return loaded;
  };
}

/** A getter for `new RegExp(source, flags)`, built on its first call. */
export function lazyRegExp(source: string, flags: string): () => RegExp {
  let re: RegExp | undefined;
  return () => {
    re ??= new RegExp(source, flags);
    return re;
  };
}
