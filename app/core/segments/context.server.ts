// What rule evaluation needs to know about a workspace and its database, and its active segments in dependency
// order (a segment that names another is evaluated after it).
import { Prisma, type DbTx } from "~/db.server";
import type { Dialect } from "./compile.server";
import { referencedSegments, validateRule, type SegmentRule } from "./rules";

export function dialectOf(db: DbTx): Dialect {
  // The generated client names its provider; a transaction client passes the property through.
  const provider: unknown = Reflect.get(db, "_activeProvider");
  return provider === "postgresql" ? "postgresql" : "sqlite";
}

export interface WorkspaceRuleContext {
  workspaceId: string;
  dialect: Dialect;
  currency: string;
  timeZone: string;
}

/**
 * Money and calendar periods in rules are those of the workspace's first active store (the first store at all
 * when none is active; USD and UTC without stores). Orders in other currencies count at face value.
 */
export async function workspaceRuleContext(db: DbTx, workspaceId: string): Promise<WorkspaceRuleContext> {
  const store =
    (await db.store.findFirst({ where: { workspaceId, status: "active" }, orderBy: { createdAt: "asc" }, select: { currency: true, timezone: true } })) ??
    (await db.store.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { currency: true, timezone: true } }));
  return { workspaceId, dialect: dialectOf(db), currency: store?.currency ?? "USD", timeZone: store?.timezone ?? "UTC" };
}

export interface LoadedSegment {
  id: string;
  name: string;
  rule: SegmentRule;
  sweptAt: Date | null;
  computedAt: Date | null;
}

/** Active segments with a valid rule (a stored rule that no longer parses is skipped, never guessed at). */
export async function loadActiveSegments(db: DbTx, workspaceId: string): Promise<LoadedSegment[]> {
  const rows = await db.segment.findMany({
    where: { workspaceId, status: "active" },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, rule: true, sweptAt: true, computedAt: true },
  });
  return rows.flatMap((row) => {
    const parsed = validateRule(row.rule);
    return parsed.ok ? [{ id: row.id, name: row.name, rule: parsed.rule, sweptAt: row.sweptAt, computedAt: row.computedAt }] : [];
  });
}

/**
 * Segments grouped in levels: level 0 names no other active segment, level n only segments of lower levels.
 * Segments in a cycle (prevented on save) or naming one are left out.
 */
export function dependencyLevels<T extends { id: string; rule: SegmentRule }>(segments: T[]): T[][] {
  const byId = new Map(segments.map((segment) => [segment.id, segment]));
  const levelOf = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (segment: T): number => {
    const known = levelOf.get(segment.id);
    if (known !== undefined) return known;
    if (visiting.has(segment.id)) return Number.NaN;
    visiting.add(segment.id);
    let level = 0;
    for (const id of referencedSegments(segment.rule)) {
      const dependency = byId.get(id);
      if (dependency) level = Math.max(level, visit(dependency) + 1);
    }
    visiting.delete(segment.id);
    levelOf.set(segment.id, level);
    return level;
  };
  segments.forEach(visit);
  const levels: T[][] = [];
  for (const segment of segments) {
    const level = levelOf.get(segment.id) ?? Number.NaN;
    if (Number.isNaN(level)) continue;
    (levels[level] ??= []).push(segment);
  }
  return levels.filter((level) => level !== undefined);
}

/** The segments that name `segmentId`, directly or through others, in dependency order. */
export function dependentsOf<T extends { id: string; rule: SegmentRule }>(segments: T[], segmentId: string): T[] {
  const found = new Set<string>([segmentId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const segment of segments) {
      if (!found.has(segment.id) && referencedSegments(segment.rule).some((id) => found.has(id))) {
        found.add(segment.id);
        grew = true;
      }
    }
  }
  return dependencyLevels(segments).flat().filter((segment) => segment.id !== segmentId && found.has(segment.id));
}

/** What incremental evaluation needs of a workspace: its active segments (definitions only) and rule context. */
export interface RuleState {
  segments: Pick<LoadedSegment, "id" | "name" | "rule">[];
  byId: Map<string, Pick<LoadedSegment, "id" | "name" | "rule">>;
  context: WorkspaceRuleContext;
  /** Whether a live flow reacts to segment changes; filled in when first needed. */
  flowsListen: boolean | null;
}

const ruleStates = new Map<string, { key: string; state: RuleState }>();
/** Workspaces whose state is kept per process (least recently used beyond this are dropped). */
const RULE_STATES_KEPT = 200;

function stamp(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * The workspace's rule state, read once per process and kept while its key holds: one cheap statement lists the
 * ids and updatedAt of its active segments, its stores and its live flows (a definition, a store's currency or
 * time zone, a flow going live or off all move them; Prisma sets updatedAt on every write through the client).
 * So every process sees another's edits at its next call; `forgetRuleState` covers edits within the same
 * millisecond in this process. Sweep and recompute times are not part of it (they change without updatedAt).
 */
export async function ruleState(db: DbTx, workspaceId: string): Promise<RuleState> {
  const rows = await db.$queryRaw<{ kind: string; id: string; at: unknown }[]>(
    Prisma.sql`SELECT 's' AS "kind", s."id" AS "id", s."updatedAt" AS "at" FROM "Segment" s WHERE s."workspaceId" = ${workspaceId} AND s."status" = 'active'
      UNION ALL SELECT 't', t."id", t."updatedAt" FROM "Store" t WHERE t."workspaceId" = ${workspaceId}
      UNION ALL SELECT 'f', f."id", f."updatedAt" FROM "Flow" f WHERE f."workspaceId" = ${workspaceId} AND f."status" = 'live'
      ORDER BY 1, 2`,
  );
  const key = rows.map((row) => `${row.kind}:${row.id}:${stamp(row.at)}`).join(",");
  const cached = ruleStates.get(workspaceId);
  if (cached && cached.key === key) {
    ruleStates.delete(workspaceId);
    ruleStates.set(workspaceId, cached);
    return cached.state;
  }
  const segments = rows.some((row) => row.kind === "s") ? (await loadActiveSegments(db, workspaceId)).map(({ id, name, rule }) => ({ id, name, rule })) : [];
  const state: RuleState = { segments, byId: new Map(segments.map((segment) => [segment.id, segment])), context: await workspaceRuleContext(db, workspaceId), flowsListen: null };
  ruleStates.delete(workspaceId);
  ruleStates.set(workspaceId, { key, state });
  if (ruleStates.size > RULE_STATES_KEPT) ruleStates.delete(ruleStates.keys().next().value ?? "");
  return state;
}

/** Drops this process's cached state of a workspace (after its segments were created, edited or archived). */
export function forgetRuleState(workspaceId: string): void {
  ruleStates.delete(workspaceId);
}
