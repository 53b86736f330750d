// Running the null data source.

import type { PlainValue } from "../../components/schema.js";

export async function execute(
  config: Record<string, PlainValue>,
  _signal?: AbortSignal,
): Promise<Record<string, PlainValue>> {
  const input = config.input;
  return { output: typeof input === "string" ? input : "" };
}
