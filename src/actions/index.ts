// The action registry: every action kind, by its config `type`.
import type { ActionKind } from "../core/component.js";

export const actionKinds: ActionKind[] = [];

export function findActionKind(type: string): ActionKind | undefined {
  return actionKinds.find((kind) => kind.type === type);
}
