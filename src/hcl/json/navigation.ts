import { rangeContainsOffset } from "../pos.js";
import type { JSONNode } from "./ast.js";

/**
 * A path such as `source.amazon-ebs.example` or `build[0].provisioner` naming
 * the innermost object or array that contains byte `offset`, for showing
 * where in a JSON file a diagnostic is ("" when at the top level).
 */
export function jsonContextString(root: JSONNode, offset: number): string {
  let out = "";
  let n: JSONNode | undefined = root;
  while (n !== undefined) {
    let next: JSONNode | undefined;
    if (n.kind === "object") {
      for (const a of n.attrs) {
        const v = a.value;
        if ((v.kind === "object" || v.kind === "array") && rangeContainsOffset(v.range, offset)) {
          out += out === "" ? a.name : `.${a.name}`;
          next = v;
          break;
        }
      }
    } else if (n.kind === "array") {
      for (let i = 0; i < n.values.length; i++) {
        const v = n.values[i]!;
        if ((v.kind === "object" || v.kind === "array") && rangeContainsOffset(v.range, offset)) {
          out += `[${i}]`;
          next = v;
          break;
        }
      }
    }
    n = next;
  }
  return out;
}
