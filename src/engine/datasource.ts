// The data source interface: runs at template-load time and produces values.

import type { PlainConfig, PlainValue } from "../components/schema.js";

export type DatasourceExecute = (
  config: PlainConfig,
  signal?: AbortSignal,
) => Promise<Record<string, PlainValue>>;
