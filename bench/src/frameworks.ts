import type { Mode } from "./modes.ts";
import type { Target } from "./report.ts";
import type { Row } from "./rows.ts";

/** Row 7: filled in once the framework adapters land. */
export async function frameworkRows(_mode: Mode, _wanted: (id: string) => boolean): Promise<{ rows: Row[]; targets: Target[] }[]> {
  return [];
}
