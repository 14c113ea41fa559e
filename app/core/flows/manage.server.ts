// Creating, publishing and listing flows. Every function takes its workspace explicitly.
import { Prisma, type Db, type DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import { z } from "zod";
import { findBlueprint } from "./blueprints";
import { DEFAULT_RULES, validateDefinition, type DefinitionProblem, type FlowDefinition } from "./definition";
import { diffDefinitions, stableJson, type DefinitionDiff } from "./draft-diff";
import { loadVersion } from "./versions.server";
import {
  backfillSegmentTrigger,
  previewSegmentBackfill,
  segmentChoices,
  segmentFlowDefinition,
  segmentFlowName,
  segmentReferenceProblems,
  type SegmentBackfillPreview,
} from "./segment-trigger.server";

export class FlowError extends Error {}

/** No such flow in the workspace (another workspace's flow included), or no such version of it. */
export class FlowNotFoundError extends FlowError {}

/** A definition that does not validate: every problem with its path (`nodes[2].next: …`). */
export class FlowValidationError extends FlowError {
  constructor(readonly problems: DefinitionProblem[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.message}`).join("; "));
  }
}

function parseOrThrow(input: unknown): FlowDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new FlowValidationError(result.problems);
  return result.definition;
}

/** The document's own problems, then what only the workspace can answer (the segment a trigger names exists). */
async function validateInWorkspace(db: Db | DbTx, input: { workspaceId: string; definition: unknown }): Promise<FlowDefinition> {
  const definition = parseOrThrow(input.definition);
  const problems = await segmentReferenceProblems(db, { workspaceId: input.workspaceId, definition });
  if (problems.length) throw new FlowValidationError(problems);
  return definition;
}

/** "archived": out of the Flows list by default and never runs, like paused (ADR 0038); unarchive restores it. */
export type FlowStatus = "draft" | "live" | "paused" | "archived";

/**
 * Turns a blueprint on in one step: the flow is created from it and its first version published. Turning on a
 * blueprint whose flow already exists resumes that flow instead of making a second one.
 */
export async function enableBlueprint(deps: { db: Db; clock: Clock }, input: { workspaceId: string; blueprintId: string }) {
  const blueprint = findBlueprint(input.blueprintId);
  if (!blueprint) throw new FlowError(`there is no blueprint "${input.blueprintId}"`);
  const existing = await deps.db.flow.findFirst({ where: { workspaceId: input.workspaceId, blueprint: blueprint.id } });
  if (existing) {
    if (existing.status !== "live" && existing.liveVersionId) {
      await deps.db.flow.update({ where: { id: existing.id }, data: { status: "live" } });
    } else if (!existing.liveVersionId) {
      await publishFlow(deps, { workspaceId: input.workspaceId, flowId: existing.id, definition: blueprint.definition });
    }
    return { flowId: existing.id, created: false };
  }
  const flow = await deps.db.flow.create({
    data: { workspaceId: input.workspaceId, name: blueprint.name, blueprint: blueprint.id, status: "draft" },
  });
  await publishFlow(deps, { workspaceId: input.workspaceId, flowId: flow.id, definition: blueprint.definition });
  return { flowId: flow.id, created: true };
}

/** Freezes a definition as the flow's next version and makes it live. Running enrollments keep their version. */
export async function publishFlow(deps: { db: Db; clock: Clock }, input: { workspaceId: string; flowId: string; definition: unknown }) {
  return deps.db.$transaction(async (tx) => {
    const definition = await validateInWorkspace(tx, input);
    const flow = await tx.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId } });
    if (!flow) throw new FlowNotFoundError("flow not found");
    const last = await tx.flowVersion.findFirst({ where: { flowId: flow.id }, orderBy: { version: "desc" } });
    const version = await tx.flowVersion.create({
      data: { workspaceId: input.workspaceId, flowId: flow.id, version: (last?.version ?? 0) + 1, definition, publishedAt: deps.clock.now() },
    });
    await tx.flow.update({ where: { id: flow.id }, data: { liveVersionId: version.id, status: "live" } });
    return { versionId: version.id, version: version.version };
  });
}

/** Pause stops new enrollments and holds running ones where they are; resume lets them go on. */
export async function setFlowStatus(deps: { db: Db }, input: { workspaceId: string; flowId: string; status: "live" | "paused" }) {
  const flow = await deps.db.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId } });
  if (!flow) throw new FlowNotFoundError("flow not found");
  if (input.status === "live" && !flow.liveVersionId) throw new FlowError("publish the flow before turning it on");
  if (flow.status === "archived") throw new FlowError("this flow is archived: unarchive it first");
  await deps.db.flow.update({ where: { id: flow.id }, data: { status: input.status } });
}

export interface FlowSummary {
  id: string;
  name: string;
  blueprint: string | null;
  status: FlowStatus;
  version: number | null;
  enrolled: number;
  active: number;
  sent: number;
  createdAt: string;
}

export async function listFlows(db: Db, input: { workspaceId: string }): Promise<FlowSummary[]> {
  const flows = await db.flow.findMany({ where: { workspaceId: input.workspaceId }, orderBy: { createdAt: "asc" } });
  const versions = await db.flowVersion.findMany({
    where: { workspaceId: input.workspaceId, id: { in: flows.flatMap((flow) => (flow.liveVersionId ? [flow.liveVersionId] : [])) } },
    select: { id: true, version: true },
  });
  const enrolled = await db.enrollment.groupBy({ by: ["flowId", "status"], where: { workspaceId: input.workspaceId }, _count: { _all: true } });
  const sent = await db.message.groupBy({
    by: ["flowId"],
    where: { workspaceId: input.workspaceId, status: { in: ["sent", "outbox"] } },
    _count: { _all: true },
  });
  return flows.map((flow) => {
    const counts = enrolled.filter((row) => row.flowId === flow.id);
    return {
      id: flow.id,
      name: flow.name,
      blueprint: flow.blueprint,
      status: statusOf(flow.status),
      version: versions.find((version) => version.id === flow.liveVersionId)?.version ?? null,
      enrolled: counts.reduce((sum, row) => sum + row._count._all, 0),
      active: counts.find((row) => row.status === "active")?._count._all ?? 0,
      sent: sent.find((row) => row.flowId === flow.id)?._count._all ?? 0,
      createdAt: flow.createdAt.toISOString(),
    };
  });
}

/**
 * Creates a flow from a definition (flows as code). Validated first: an invalid definition writes nothing.
 * With `publish`, version 1 is frozen and the flow goes live; without it the flow is a draft holding the
 * definition as version 1, not live (a separate draft column needs a schema change: see ADR 0009).
 */
export async function importFlow(
  deps: { db: Db; clock: Clock },
  input: { workspaceId: string; name: string; definition: unknown; publish: boolean },
) {
  parseOrThrow(input.definition);
  const workspace = await deps.db.workspace.findUnique({ where: { id: input.workspaceId }, select: { id: true } });
  if (!workspace) throw new FlowError(`workspace "${input.workspaceId}" not found`);
  const definition = await validateInWorkspace(deps.db, input);
  return deps.db.$transaction(async (tx) => {
    const flow = await tx.flow.create({ data: { workspaceId: input.workspaceId, name: input.name, status: "draft" } });
    const version = await tx.flowVersion.create({
      data: { workspaceId: input.workspaceId, flowId: flow.id, version: 1, definition, publishedAt: deps.clock.now() },
    });
    if (input.publish) await tx.flow.update({ where: { id: flow.id }, data: { liveVersionId: version.id, status: "live" } });
    return { flowId: flow.id, version: 1, status: input.publish ? ("live" as const) : ("draft" as const) };
  });
}

/** A flow's definition as JSON-ready data: the given version, else the live one, else the latest. */
export async function exportFlow(db: Db, input: { workspaceId: string; flowId: string; version?: number }): Promise<FlowDefinition> {
  const flow = await db.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId } });
  if (!flow) throw new FlowNotFoundError(`flow "${input.flowId}" not found in workspace "${input.workspaceId}"`);
  const version = input.version !== undefined
    ? await db.flowVersion.findFirst({ where: { flowId: flow.id, workspaceId: input.workspaceId, version: input.version } })
    : await db.flowVersion.findFirst({
        where: { flowId: flow.id, workspaceId: input.workspaceId, ...(flow.liveVersionId ? { id: flow.liveVersionId } : {}) },
        orderBy: { version: "desc" },
      });
  if (!version) throw new FlowNotFoundError(input.version !== undefined ? `flow "${flow.id}" has no version ${input.version}` : `flow "${flow.id}" has no versions`);
  const definition = await loadVersion(db, { workspaceId: input.workspaceId, versionId: version.id });
  if (!definition) throw new FlowError(`version ${version.version} of flow "${flow.id}" no longer validates`);
  return definition;
}

// ─── Drafts: the builder's working copy ─────────────────────────────────────────────────────────────────────
// A draft is stored as the builder sends it, valid or not (Flow.draftDefinition), so no edit is ever lost;
// publishing validates it, freezes it as a new FlowVersion and clears it.

/** The smallest thing the builder can open: an object with a list of nodes. Everything else is kept as sent. */
const DraftShape = z.looseObject({ nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })) });

/** Parses the builder's JSON text; refuses only what is not a flow document at all. */
function parseDraftJson(text: string): Prisma.InputJsonObject {
  let value: Prisma.InputJsonObject;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FlowError("the draft is not valid JSON");
  }
  if (!DraftShape.safeParse(value).success) throw new FlowError("a draft is a JSON object with a list of nodes, each with an id and a type");
  return value;
}

/** A draft's problems: the document's own, plus a segment trigger naming a segment the workspace does not have. */
async function problemsOf(db: Db, workspaceId: string, definition: unknown): Promise<DefinitionProblem[]> {
  const result = validateDefinition(definition);
  return [...(result.ok ? [] : result.problems), ...(await segmentReferenceProblems(db, { workspaceId, definition }))];
}

async function findFlow(db: Db, input: { workspaceId: string; flowId: string }) {
  const flow = await db.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId } });
  if (!flow) throw new FlowNotFoundError("flow not found");
  return flow;
}

/** A new flow for a new workspace need: a draft that starts on checkout events and has one exit node. */
export function emptyDefinition(): FlowDefinition {
  return {
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create", "checkout.update"], entity: "checkout", conditions: [] },
    goal: { event: "order.add", scope: "customer", label: "order placed" },
    entry: "exit",
    nodes: [{ id: "exit", type: "exit" }],
    rules: DEFAULT_RULES,
  };
}

/**
 * A draft flow for a segment (`/app/flows/new?segmentId=…`): "When a customer enters <segment>", a day's delay and
 * an email. Opening the same link again opens the same untouched draft instead of making another.
 */
export async function createSegmentFlow(deps: { db: Db; clock: Clock }, input: { workspaceId: string; segmentId: string }) {
  const segment = await deps.db.segment.findFirst({ where: { id: input.segmentId, workspaceId: input.workspaceId, status: "active" }, select: { id: true, name: true } });
  if (!segment) throw new FlowNotFoundError("This segment does not exist, is archived, or belongs to another workspace.");
  const name = segmentFlowName(segment.name);
  const definition = JSON.parse(JSON.stringify(segmentFlowDefinition(segment))) as Prisma.InputJsonObject;
  const drafts = await deps.db.flow.findMany({ where: { workspaceId: input.workspaceId, name, status: "draft", liveVersionId: null }, select: { id: true, draftDefinition: true } });
  const untouched = drafts.find((flow) => stableJson(flow.draftDefinition) === stableJson(definition));
  if (untouched) return { flowId: untouched.id, created: false };
  const flow = await deps.db.flow.create({
    data: { workspaceId: input.workspaceId, name, status: "draft", draftDefinition: definition, draftUpdatedAt: deps.clock.now() },
  });
  return { flowId: flow.id, created: true };
}

export async function createDraftFlow(deps: { db: Db; clock: Clock }, input: { workspaceId: string; name?: string }) {
  const flow = await deps.db.flow.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name?.trim() || "Untitled flow",
      status: "draft",
      draftDefinition: JSON.parse(JSON.stringify(emptyDefinition())),
      draftUpdatedAt: deps.clock.now(),
    },
  });
  return { flowId: flow.id };
}

export interface FlowForBuilder {
  flow: { id: string; name: string; status: FlowStatus; version: number | null };
  /** The draft when there is one, else the live version: raw JSON, with every field as stored. */
  definition: unknown;
  /** The live version's definition, raw (null before the first publish). */
  live: unknown;
  hasDraft: boolean;
  draftUpdatedAt: string | null;
  problems: DefinitionProblem[];
  /** Customers in the flow now (on any version). */
  activeEnrollments: number;
  /** The workspace's active segments, which a segment trigger can name. */
  segments: { id: string; name: string; memberCount: number }[];
}

export async function getFlowForBuilder(db: Db, input: { workspaceId: string; flowId: string }): Promise<FlowForBuilder> {
  const flow = await findFlow(db, input);
  const liveVersion = flow.liveVersionId
    ? await db.flowVersion.findFirst({ where: { id: flow.liveVersionId, workspaceId: input.workspaceId } })
    : null;
  const latest = liveVersion ?? (await db.flowVersion.findFirst({ where: { flowId: flow.id, workspaceId: input.workspaceId }, orderBy: { version: "desc" } }));
  const definition = flow.draftDefinition ?? latest?.definition ?? emptyDefinition();
  const activeEnrollments = await db.enrollment.count({ where: { workspaceId: input.workspaceId, flowId: flow.id, status: "active" } });
  return {
    flow: {
      id: flow.id,
      name: flow.name,
      status: statusOf(flow.status),
      version: liveVersion?.version ?? null,
    },
    definition,
    live: liveVersion?.definition ?? null,
    hasDraft: flow.draftDefinition !== null,
    draftUpdatedAt: flow.draftUpdatedAt?.toISOString() ?? null,
    problems: await problemsOf(db, input.workspaceId, definition),
    activeEnrollments,
    segments: await segmentChoices(db, input),
  };
}

/** Stores the builder's working copy as sent, even when it does not validate; answers with its problems. */
export async function saveDraft(deps: { db: Db; clock: Clock }, input: { workspaceId: string; flowId: string; definitionJson: string }) {
  const definition = parseDraftJson(input.definitionJson);
  const flow = await findFlow(deps.db, input);
  const savedAt = deps.clock.now();
  await deps.db.flow.update({ where: { id: flow.id }, data: { draftDefinition: definition, draftUpdatedAt: savedAt } });
  return { savedAt: savedAt.toISOString(), problems: await problemsOf(deps.db, input.workspaceId, definition) };
}

export interface PublishPreview {
  problems: DefinitionProblem[];
  diff: DefinitionDiff;
  liveVersion: number | null;
  /** Customers in the flow now: they finish the version they started on. */
  activeEnrollments: number;
  /** For a segment-entered trigger: the customers in the segment now, whom publishing can also enroll. */
  backfill: SegmentBackfillPreview | null;
}

/** What publishing the draft (or the given definition) would do: its problems, its changes, who is in the flow. */
export async function diffAgainstLive(db: Db, input: { workspaceId: string; flowId: string; definitionJson?: string }): Promise<PublishPreview> {
  const builder = await getFlowForBuilder(db, input);
  const definition = input.definitionJson === undefined ? builder.definition : parseDraftJson(input.definitionJson);
  return {
    problems: await problemsOf(db, input.workspaceId, definition),
    diff: diffDefinitions(builder.live, definition),
    liveVersion: builder.flow.version,
    activeEnrollments: builder.activeEnrollments,
    backfill: await previewSegmentBackfill(db, { workspaceId: input.workspaceId, definition }),
  };
}

/**
 * Publishes the draft (or the given definition, which the builder sends so nothing typed since the last autosave
 * is lost): validated, frozen as the next FlowVersion, made live; the draft is cleared. Customers already in the
 * flow stay on the version they started on. With `backfill` (a segment-entered trigger; the dialog asks, default
 * no), the customers in the segment now are enrolled too, once.
 */
export async function publishDraft(deps: { db: Db; clock: Clock }, input: { workspaceId: string; flowId: string; definitionJson?: string; backfill?: boolean }) {
  const flow = await findFlow(deps.db, input);
  const definition = input.definitionJson === undefined ? flow.draftDefinition : parseDraftJson(input.definitionJson);
  if (definition === null) throw new FlowError("there is no draft to publish");
  const published = await publishFlow(deps, { workspaceId: input.workspaceId, flowId: flow.id, definition });
  await deps.db.flow.update({ where: { id: flow.id }, data: { draftDefinition: Prisma.DbNull, draftUpdatedAt: null } });
  const backfill = input.backfill && (await previewSegmentBackfill(deps.db, { workspaceId: input.workspaceId, definition }))
    ? await backfillSegmentTrigger(deps, { workspaceId: input.workspaceId, flowId: flow.id })
    : null;
  return { ...published, backfill };
}

// ─── The HTTP API's view of flows (docs/api/openapi.yaml) ───────────────────────────────────────────────────
// The same flows the admin and `nudgeflow flows` see, as JSON-ready data. What publishing without a document
// makes live ("pending") is the builder's draft, else a version that was imported without publishing and never
// went live (a draft of the CLI's kind: ADR 0009).

export const DEFAULT_FLOW_PAGE_SIZE = 50;

/** Just enough of a stored document to show its trigger: drafts may not validate, so nothing more is assumed. */
const TriggerOf = z.looseObject({ trigger: z.looseObject({ type: z.string() }) });
type TriggerJson = z.infer<typeof TriggerOf>["trigger"];

function triggerOf(document: unknown): TriggerJson | null {
  const parsed = TriggerOf.safeParse(document);
  return parsed.success ? parsed.data.trigger : null;
}

function statusOf(status: string): FlowStatus {
  return status === "live" || status === "paused" || status === "archived" ? status : "draft";
}

export interface ApiFlow {
  id: string;
  name: string;
  blueprint: string | null;
  status: FlowStatus;
  /** The trigger of the live version, else of what is pending (the draft or the imported version). */
  trigger: TriggerJson | null;
  liveVersion: number | null;
  /** Something publishing would make live: the builder's draft or an imported version that never went live. */
  hasDraft: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type FlowRow = { id: string; name: string; blueprint: string | null; status: string; liveVersionId: string | null; draftDefinition: unknown; createdAt: Date; updatedAt: Date };
type VersionRow = { id: string; flowId: string; version: number; definition: unknown; publishedAt: Date };

/** The version publishing would make live when the flow has no builder draft: the newest, if it never was live. */
function importedPending(flow: FlowRow, live: VersionRow | undefined, latest: VersionRow | undefined): VersionRow | null {
  if (flow.draftDefinition !== null || !latest) return null;
  return !live || latest.version > live.version ? latest : null;
}

function apiFlow(flow: FlowRow, live: VersionRow | undefined, latest: VersionRow | undefined): ApiFlow {
  const imported = importedPending(flow, live, latest);
  const pendingDocument = flow.draftDefinition ?? imported?.definition ?? latest?.definition;
  return {
    id: flow.id,
    name: flow.name,
    blueprint: flow.blueprint,
    status: statusOf(flow.status),
    trigger: triggerOf(live?.definition) ?? triggerOf(pendingDocument),
    liveVersion: live?.version ?? null,
    hasDraft: flow.draftDefinition !== null || imported !== null,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
  };
}

/** Each flow's live and newest versions, in two queries. */
async function versionsOf(db: Db, workspaceId: string, flows: FlowRow[]) {
  const select = { id: true, flowId: true, version: true, definition: true, publishedAt: true } satisfies Prisma.FlowVersionSelect;
  const liveIds = flows.flatMap((flow) => (flow.liveVersionId ? [flow.liveVersionId] : []));
  const live = liveIds.length ? await db.flowVersion.findMany({ where: { workspaceId, id: { in: liveIds } }, select }) : [];
  const newestNumbers = flows.length
    ? await db.flowVersion.groupBy({ by: ["flowId"], where: { workspaceId, flowId: { in: flows.map((flow) => flow.id) } }, _max: { version: true } })
    : [];
  const pairs = newestNumbers.flatMap((row) => (row._max.version === null ? [] : [{ flowId: row.flowId, version: row._max.version }]));
  const newest = pairs.length ? await db.flowVersion.findMany({ where: { workspaceId, OR: pairs }, select }) : [];
  return {
    live: (flow: FlowRow) => live.find((version) => version.id === flow.liveVersionId),
    latest: (flow: FlowRow) => newest.find((version) => version.flowId === flow.id),
  };
}

/** The workspace's flows by id, a page at a time (cursor: the last id of the previous page). */
export async function listFlowsPage(db: Db, input: { workspaceId: string; cursor?: string | null; take?: number }): Promise<{ flows: ApiFlow[]; nextCursor: string | null }> {
  const take = input.take ?? DEFAULT_FLOW_PAGE_SIZE;
  const rows = await db.flow.findMany({
    where: { workspaceId: input.workspaceId, ...(input.cursor ? { id: { gt: input.cursor } } : {}) },
    orderBy: { id: "asc" },
    take: take + 1,
  });
  const page = rows.slice(0, take);
  const versions = await versionsOf(db, input.workspaceId, page);
  return {
    flows: page.map((flow) => apiFlow(flow, versions.live(flow), versions.latest(flow))),
    nextCursor: rows.length > take ? page[page.length - 1].id : null,
  };
}

export interface ApiFlowDetail {
  flow: ApiFlow;
  live: { version: number; publishedAt: Date } | null;
  /** What publishing without a document would make live, and what stops it. */
  draft: { source: "builder" | "imported"; version: number | null; updatedAt: Date | null; problems: DefinitionProblem[] } | null;
  /** Every published or imported version, newest first. */
  versions: { version: number; publishedAt: Date; live: boolean }[];
  /** Customers in the flow now (on any version). */
  activeEnrollments: number;
}

/** One flow for the API: its summary, live version, pending draft and version list. Not found → FlowNotFoundError. */
export async function getFlowDetail(db: Db, input: { workspaceId: string; flowId: string }): Promise<ApiFlowDetail> {
  const flow = await findFlow(db, input);
  const { live, latest } = await versionsOf(db, input.workspaceId, [flow]);
  const liveVersion = live(flow);
  const imported = importedPending(flow, liveVersion, latest(flow));
  const versions = await db.flowVersion.findMany({ where: { workspaceId: input.workspaceId, flowId: flow.id }, orderBy: { version: "desc" }, select: { id: true, version: true, publishedAt: true } });
  const draft: ApiFlowDetail["draft"] =
    flow.draftDefinition !== null
      ? { source: "builder", version: null, updatedAt: flow.draftUpdatedAt, problems: await problemsOf(db, input.workspaceId, flow.draftDefinition) }
      : imported
        ? { source: "imported", version: imported.version, updatedAt: imported.publishedAt, problems: await problemsOf(db, input.workspaceId, imported.definition) }
        : null;
  return {
    flow: apiFlow(flow, liveVersion, latest(flow)),
    live: liveVersion ? { version: liveVersion.version, publishedAt: liveVersion.publishedAt } : null,
    draft,
    versions: versions.map((version) => ({ version: version.version, publishedAt: version.publishedAt, live: version.id === flow.liveVersionId })),
    activeEnrollments: await db.enrollment.count({ where: { workspaceId: input.workspaceId, flowId: flow.id, status: "active" } }),
  };
}

/**
 * Publishing from the API: the given document (the builder's draft is kept), else the builder's draft (published
 * and cleared, as the admin does), else an imported version that never went live (it goes live as it is, as
 * `flows import --publish` would have made it). Invalid → FlowValidationError; nothing pending → FlowError.
 * With `backfill`, a segment trigger also enrolls the segment's members now, once (as the admin's dialog offers).
 */
export async function publishPending(
  deps: { db: Db; clock: Clock },
  input: { workspaceId: string; flowId: string; definition?: unknown; backfill?: boolean },
): Promise<ApiFlowDetail & { published: { version: number; backfill: { members: number; enrolled: number } | null } }> {
  const flow = await findFlow(deps.db, input);
  let published: { version: number; definition: unknown };
  if (input.definition !== undefined) {
    const { version } = await publishFlow(deps, { workspaceId: input.workspaceId, flowId: flow.id, definition: input.definition });
    published = { version, definition: input.definition };
  } else if (flow.draftDefinition !== null) {
    const { version } = await publishFlow(deps, { workspaceId: input.workspaceId, flowId: flow.id, definition: flow.draftDefinition });
    await deps.db.flow.update({ where: { id: flow.id }, data: { draftDefinition: Prisma.DbNull, draftUpdatedAt: null } });
    published = { version, definition: flow.draftDefinition };
  } else {
    const { live, latest } = await versionsOf(deps.db, input.workspaceId, [flow]);
    const imported = importedPending(flow, live(flow), latest(flow));
    if (!imported) throw new FlowError("there is nothing to publish: the flow has no draft and its newest version is live; send a definition");
    await validateInWorkspace(deps.db, { workspaceId: input.workspaceId, definition: imported.definition });
    await deps.db.flow.update({ where: { id: flow.id }, data: { liveVersionId: imported.id, status: "live" } });
    published = { version: imported.version, definition: imported.definition };
  }
  const backfill = input.backfill && (await previewSegmentBackfill(deps.db, { workspaceId: input.workspaceId, definition: published.definition }))
    ? await backfillSegmentTrigger(deps, { workspaceId: input.workspaceId, flowId: flow.id })
    : null;
  return { ...(await getFlowDetail(deps.db, input)), published: { version: published.version, backfill } };
}

/** `importFlow` for the API: the new flow as GET /api/v1/flows/{flowId} shows it. */
export async function importFlowDocument(
  deps: { db: Db; clock: Clock },
  input: { workspaceId: string; name: string; definition: unknown; publish: boolean },
): Promise<ApiFlowDetail> {
  const { flowId } = await importFlow(deps, input);
  return getFlowDetail(deps.db, { workspaceId: input.workspaceId, flowId });
}

/** `setFlowStatus` (pause, resume) for the API: the flow afterwards. */
export async function changeFlowStatus(deps: { db: Db }, input: { workspaceId: string; flowId: string; status: "live" | "paused" }): Promise<ApiFlowDetail> {
  await setFlowStatus(deps, input);
  return getFlowDetail(deps.db, input);
}
