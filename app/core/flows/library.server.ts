// The Flows list's housekeeping: duplicate, archive and unarchive, and flows as JSON files (export, import).
// The file is the same bare flow document `nudgeflow flows export` writes and `flows import` reads (ADR 0009).
import type { Clock } from "~/core/clock";
import { Prisma, type Db } from "~/db.server";
import { validateDefinitionJson, type DefinitionProblem, type FlowDefinition } from "./definition";
import { exportFlow, FlowError, FlowNotFoundError } from "./manage.server";
import { segmentReferenceProblems } from "./segment-trigger.server";

/** An import that does not validate: every problem with its path; nothing was written. */
export class FlowImportError extends FlowError {
  constructor(readonly problems: DefinitionProblem[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.message}`).join("; "));
  }
}

/** Files larger than this are refused before parsing: the biggest flow a merchant builds is a few dozen KB. */
export const MAX_FLOW_FILE_BYTES = 512 * 1024;

async function findFlow(db: Db, input: { workspaceId: string; flowId: string }) {
  const flow = await db.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId } });
  if (!flow) throw new FlowNotFoundError("This flow does not exist, or belongs to another workspace.");
  return flow;
}

/**
 * A copy to work on: a new draft holding the flow's working copy (its draft, else its live or newest version).
 * Not live, not tied to the blueprint (so "Turn on" on Home still finds the original).
 */
export async function duplicateFlow(deps: { db: Db; clock: Clock }, input: { workspaceId: string; flowId: string }) {
  const flow = await findFlow(deps.db, input);
  const version = await deps.db.flowVersion.findFirst({
    where: { flowId: flow.id, workspaceId: input.workspaceId, ...(flow.liveVersionId ? { id: flow.liveVersionId } : {}) },
    orderBy: { version: "desc" },
  });
  const definition = flow.draftDefinition ?? version?.definition;
  if (definition === null || definition === undefined) throw new FlowError(`"${flow.name}" has nothing to copy yet`);
  const copy = await deps.db.flow.create({
    data: {
      workspaceId: input.workspaceId,
      name: `Copy of ${flow.name}`,
      status: "draft",
      draftDefinition: definition as Prisma.InputJsonValue,
      draftUpdatedAt: deps.clock.now(),
    },
  });
  return { flowId: copy.id, name: copy.name };
}

/** Archived flows never run (the engine only runs "live"), like paused ones; customers in them stay where they are. */
export async function archiveFlow(deps: { db: Db }, input: { workspaceId: string; flowId: string }) {
  const flow = await findFlow(deps.db, input);
  await deps.db.flow.update({ where: { id: flow.id }, data: { status: "archived" } });
  return { name: flow.name };
}

/** Back to the list, never straight back to live: paused when it was ever published, else a draft. */
export async function unarchiveFlow(deps: { db: Db }, input: { workspaceId: string; flowId: string }) {
  const flow = await findFlow(deps.db, input);
  if (flow.status !== "archived") throw new FlowError(`"${flow.name}" is not archived`);
  const status = flow.liveVersionId ? "paused" : "draft";
  await deps.db.flow.update({ where: { id: flow.id }, data: { status } });
  return { name: flow.name, status };
}

/** "Abandoned cart" → "abandoned-cart.json": a file name that survives every file system. */
export function flowFileName(name: string): string {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  return `${slug || "flow"}.json`;
}

/** What the export file holds: the live version, else the newest; a never-published flow's draft if it validates. */
export async function flowForExport(db: Db, input: { workspaceId: string; flowId: string }): Promise<{ fileName: string; definition: FlowDefinition }> {
  const flow = await findFlow(db, input);
  const hasVersion = (await db.flowVersion.count({ where: { flowId: flow.id, workspaceId: input.workspaceId } })) > 0;
  if (hasVersion) return { fileName: flowFileName(flow.name), definition: await exportFlow(db, input) };
  const result = validateDefinitionJson(JSON.stringify(flow.draftDefinition ?? null));
  if (!result.ok) throw new FlowImportError(result.problems);
  return { fileName: flowFileName(flow.name), definition: result.definition };
}

/**
 * Imports a flow file as a new draft (not live: the merchant publishes it from the builder). The document is
 * validated by the flow schema and against the workspace (a segment trigger's segment exists); any problem
 * refuses the whole file and writes nothing. The name is the file's, without ".json".
 */
export async function importFlowFile(
  deps: { db: Db; clock: Clock },
  input: { workspaceId: string; fileName: string; text: string },
): Promise<{ flowId: string; name: string }> {
  if (Buffer.byteLength(input.text, "utf8") > MAX_FLOW_FILE_BYTES) throw new FlowImportError([{ path: "(file)", message: `larger than ${MAX_FLOW_FILE_BYTES / 1024} KB: this is not a flow file` }]);
  const result = validateDefinitionJson(input.text);
  if (!result.ok) throw new FlowImportError(result.problems);
  const references = await segmentReferenceProblems(deps.db, { workspaceId: input.workspaceId, definition: result.definition });
  if (references.length) throw new FlowImportError(references);
  const name = input.fileName.replace(/\.json$/i, "").trim().slice(0, 120) || "Imported flow";
  const flow = await deps.db.flow.create({
    data: {
      workspaceId: input.workspaceId,
      name,
      status: "draft",
      draftDefinition: result.definition as unknown as Prisma.InputJsonValue,
      draftUpdatedAt: deps.clock.now(),
    },
  });
  return { flowId: flow.id, name };
}

/**
 * Each flow's trigger as stored (the live version's, else the draft's or newest version's), and the workspace's
 * segment names, for the list's "Trigger" column. Raw JSON: drafts may not validate.
 */
export async function flowTriggers(db: Db, input: { workspaceId: string }) {
  const flows = await db.flow.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true, liveVersionId: true, draftDefinition: true } });
  const versions = await db.flowVersion.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true, flowId: true, version: true, definition: true }, orderBy: { version: "desc" } });
  const segments = await db.segment.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true, name: true } });
  const triggerOf = (document: unknown): unknown => (document && typeof document === "object" && "trigger" in document ? document.trigger : null);
  const triggers: Record<string, unknown> = {};
  for (const flow of flows) {
    const live = versions.find((version) => version.id === flow.liveVersionId);
    const newest = versions.find((version) => version.flowId === flow.id);
    triggers[flow.id] = triggerOf(live?.definition) ?? triggerOf(flow.draftDefinition) ?? triggerOf(newest?.definition);
  }
  return { triggers, segmentNames: Object.fromEntries(segments.map((segment) => [segment.id, segment.name])) };
}
