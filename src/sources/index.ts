// The source registry: every source kind, by its config `type`.
import type { SourceKind } from "../core/component.js";

export const sourceKinds: SourceKind[] = [];

export function findSourceKind(type: string): SourceKind | undefined {
  return sourceKinds.find((kind) => kind.type === type);
}
