// What a draft changes against the live version, node by node (by id). Isomorphic: the builder's publish dialog
// and the server's publish check use the same function. It works on raw JSON, valid or not, and compares every
// field, including ones this module does not know about.
import { z } from "zod";

const LooseDefinition = z.looseObject({
  nodes: z.array(z.looseObject({ id: z.string() })).catch([]),
});

export interface DefinitionDiff {
  /** Node ids in the draft and not in the live version. */
  added: string[];
  /** Node ids in the live version and not in the draft. */
  removed: string[];
  /** Node ids in both whose content differs. */
  changed: string[];
  /** Top-level fields other than `nodes` that differ: trigger, goal, entry, rules, … */
  settings: string[];
}

/** JSON with object keys sorted, so two documents compare equal whatever order their keys were written in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function topLevel(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/** The draft against the live version (null when the flow was never published: every node is new). */
export function diffDefinitions(live: unknown, draft: unknown): DefinitionDiff {
  const before = live === null || live === undefined ? [] : LooseDefinition.safeParse(live).data?.nodes ?? [];
  const after = LooseDefinition.safeParse(draft).data?.nodes ?? [];
  const beforeById = new Map(before.map((node) => [node.id, stableJson(node)]));
  const afterIds = new Set(after.map((node) => node.id));
  const added: string[] = [];
  const changed: string[] = [];
  for (const node of after) {
    const previous = beforeById.get(node.id);
    if (previous === undefined) added.push(node.id);
    else if (previous !== stableJson(node) && !changed.includes(node.id)) changed.push(node.id);
  }
  const removed = before.filter((node) => !afterIds.has(node.id)).map((node) => node.id);
  const settings: string[] = [];
  if (live !== null && live !== undefined) {
    const a = topLevel(live);
    const b = topLevel(draft);
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (key !== "nodes" && stableJson(a[key]) !== stableJson(b[key])) settings.push(key);
    }
  }
  return { added, removed, changed, settings };
}

export function isEmptyDiff(diff: DefinitionDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length + diff.settings.length === 0;
}
