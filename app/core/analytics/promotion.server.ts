// Promoting an A/B test's winner (issue 9.4): a new version of the flow in which the winning variant gets everyone,
// published with an AuditEntry that says who did it and on what figures. By hand from the flow page (the merchant),
// or on its own from the worker's periodic work when the split asks for it (`autoPromote`) and the sequential test
// has declared a winner — never on "no difference" or "inconclusive", and never twice for a split.
import { z } from "zod";
import { Prisma, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Logger } from "~/core/logger.server";
import { StoredFlowDefinition } from "~/core/flows/definition";
import { FlowError, FlowNotFoundError } from "~/core/flows/manage.server";
import { loadVersion } from "~/core/flows/versions.server";
import { AB_METRIC_LABELS } from "./ab-test";
import { abTestsOf, type AbSplitResult } from "./flow-results.server";
import { formatMinor } from "./format";
import { promotionsOf } from "./promotion-history.server";
import { isTesting, promoteVariant, PROMOTION_ACTION, SYSTEM_ACTOR } from "./promotion";
import { readAttributionSettings } from "./settings.server";

export interface Promotion {
  version: number;
  versionId: string;
  summary: string;
}

function describeValue(test: AbSplitResult, mean: number | null): string {
  if (mean === null) return "—";
  return test.metric === "revenue_per_recipient" ? formatMinor(mean, test.currency) : `${(mean * 100).toFixed(1)}%`;
}

/** The figures in merchant words: "b: $25.00 per recipient (150 customers) against a: $5.00 (150)". */
function figures(test: AbSplitResult, variantId: string): string {
  const chosen = test.variants.find((variant) => variant.id === variantId);
  const others = test.variants.filter((variant) => variant.id !== variantId);
  if (!chosen) return "";
  return `"${chosen.id}" ${describeValue(test, chosen.mean)} (${chosen.customers} customers) against ${others.map((variant) => `"${variant.id}" ${describeValue(test, variant.mean)} (${variant.customers})`).join(", ")}`;
}

function summaryOf(input: { test: AbSplitResult | null; nodeId: string; variantId: string; version: number; actor: string }): string {
  const { test, nodeId, variantId, version } = input;
  const after = `it now goes to everyone who reaches the split (version ${version}); customers already past it keep their variant.`;
  const metric = test ? AB_METRIC_LABELS[test.metric] : null;
  if (input.actor === SYSTEM_ACTOR) {
    return `Variant "${variantId}" won the A/B test "${nodeId}" on ${metric} (${test ? figures(test, variantId) : ""}) and was promoted automatically: ${after}`;
  }
  const verdict = !test
    ? ""
    : test.verdict.kind === "winner"
      ? ` The test had declared "${test.verdict.variant}" the winner on ${metric}: ${figures(test, test.verdict.variant)}.`
      : test.verdict.kind === "no_difference"
        ? ` The test had found no difference worth acting on (${metric}).`
        : ` The test was still inconclusive (${test.verdict.reason}).`;
  return `${input.actor} promoted variant "${variantId}" of the A/B test "${nodeId}": ${after}${verdict}`;
}

/** The builder's working copy with the same variant promoted, when it still has that split (else unchanged: null). */
const DraftSplit = z.looseObject({ id: z.string(), type: z.literal("ab_split"), variants: z.array(z.looseObject({ id: z.string(), weight: z.unknown() })) });
const DraftNodes = z.looseObject({ nodes: z.array(z.unknown()) });
function promotedDraft(draft: unknown, input: { nodeId: string; variantId: string }): Prisma.InputJsonObject | null {
  const document = DraftNodes.safeParse(draft);
  if (!document.success) return null;
  let changed = false;
  const nodes = document.data.nodes.map((node) => {
    const split = DraftSplit.safeParse(node);
    if (!split.success || split.data.id !== input.nodeId || !split.data.variants.some((variant) => variant.id === input.variantId)) return node;
    changed = true;
    return { ...split.data, variants: split.data.variants.map((variant) => ({ ...variant, weight: variant.id === input.variantId ? (typeof variant.weight === "number" && variant.weight > 0 ? variant.weight : 1) : 0 })) };
  });
  return changed ? JSON.parse(JSON.stringify({ ...document.data, nodes })) : null;
}

/**
 * Publishes the live version with `variantId` of split `nodeId` sent to everyone, and records who did it and the
 * test's figures. Running journeys keep the version they started on. Refused (FlowError) when the flow has no live
 * version, the split or variant does not exist there, the split already sends everyone one variant, or the live
 * version changed meanwhile (someone published): nothing is written then.
 */
export async function promoteAbVariant(
  deps: { db: Db; clock: Clock },
  input: { workspaceId: string; flowId: string; nodeId: string; variantId: string; actor: string; test?: AbSplitResult | null },
): Promise<Promotion> {
  const { db } = deps;
  const { workspaceId, flowId } = input;
  const now = deps.clock.now();
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true, liveVersionId: true } });
  if (!flow) throw new FlowNotFoundError("flow not found");
  if (!flow.liveVersionId) throw new FlowError("publish the flow before promoting a variant");
  const fromVersionId = flow.liveVersionId;
  const live = await loadVersion(db, { workspaceId, versionId: fromVersionId });
  if (!live) throw new FlowError("the live version can no longer be read: publish the flow again");
  const promoted = promoteVariant(live, { nodeId: input.nodeId, variantId: input.variantId });
  if (!promoted.ok) throw new FlowError(promoted.reason);
  // Only weights changed in a version that was valid when frozen: its shape and graph are checked again here.
  const definition = StoredFlowDefinition.parse(promoted.definition);
  const test = input.test !== undefined
    ? input.test
    : (await abTestsOf(db, { workspaceId, flowId, definition: live, now, attributionWindowDays: (await readAttributionSettings(db, { workspaceId })).windowDays })).find((candidate) => candidate.nodeId === input.nodeId) ?? null;

  return db.$transaction(async (tx) => {
    const current = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { liveVersionId: true, draftDefinition: true } });
    const from = await tx.flowVersion.findFirst({ where: { id: fromVersionId, workspaceId }, select: { version: true } });
    if (current?.liveVersionId !== fromVersionId || !from) throw new FlowError("the flow was published meanwhile: look at the test again");
    const last = await tx.flowVersion.findFirst({ where: { flowId, workspaceId }, orderBy: { version: "desc" }, select: { version: true } });
    const version = await tx.flowVersion.create({
      data: { workspaceId, flowId, version: (last?.version ?? 0) + 1, definition: JSON.parse(JSON.stringify(definition)), publishedAt: now },
    });
    // Guarded by the version read above: of two promotions at once (two workers), one moves the flow, the other fails.
    const moved = await tx.flow.updateMany({ where: { id: flowId, workspaceId, liveVersionId: fromVersionId }, data: { liveVersionId: version.id } });
    if (moved.count !== 1) throw new FlowError("the flow was published meanwhile: look at the test again");
    // The builder's working copy follows, so publishing it later does not quietly restart the test.
    const draft = current.draftDefinition === null ? null : promotedDraft(current.draftDefinition, input);
    if (draft) await tx.flow.update({ where: { id: flowId }, data: { draftDefinition: draft } });
    const summary = summaryOf({ test, nodeId: input.nodeId, variantId: input.variantId, version: version.version, actor: input.actor });
    await tx.auditEntry.create({
      data: {
        workspaceId,
        at: now,
        actor: input.actor,
        action: PROMOTION_ACTION,
        subjectType: "flow",
        subjectId: flowId,
        summary,
        detail: JSON.parse(
          JSON.stringify({
            nodeId: input.nodeId,
            variant: input.variantId,
            fromVersion: from.version,
            fromVersionId,
            version: version.version,
            versionId: version.id,
            draftUpdated: draft !== null,
            test: test && {
              metric: test.metric,
              verdict: test.verdict,
              windowDays: test.windowDays,
              currency: test.currency,
              variants: test.variants.map((variant) => ({ id: variant.id, customers: variant.customers, mean: variant.mean, interval: variant.comparison?.interval ?? null })),
            },
          }),
        ),
      },
    });
    return { version: version.version, versionId: version.id, summary };
  });
}

/** How often one live version's splits are looked at again by the worker. */
export const PROMOTION_CHECK_EVERY_MS = 3_600_000;

/** What one worker remembers between runs: when it last looked at each live version. */
export interface PromotionSweepState {
  checkedAt: Map<string, number>;
}

export function createPromotionSweepState(): PromotionSweepState {
  return { checkedAt: new Map() };
}

/**
 * The worker's promotion phase: each live flow whose live version has a split with `autoPromote` that is still
 * testing is looked at (at most hourly per version); when the test there declares a winner, it is promoted as
 * "system". A split that was ever promoted (by anyone) is not promoted again automatically: a new test is a new split.
 * One failing flow is logged and skipped. Returns how many were promoted.
 */
export async function runWinnerPromotions(deps: { db: Db; clock: Clock; logger: Logger }, state: PromotionSweepState): Promise<number> {
  const { db, logger } = deps;
  const now = deps.clock.now();
  const flows = await db.flow.findMany({ where: { status: "live", liveVersionId: { not: null } }, select: { id: true, workspaceId: true, liveVersionId: true } });
  let promoted = 0;
  for (const flow of flows) {
    const versionId = flow.liveVersionId;
    if (!versionId) continue;
    const checked = state.checkedAt.get(versionId);
    if (checked !== undefined && now.getTime() - checked < PROMOTION_CHECK_EVERY_MS) continue;
    state.checkedAt.set(versionId, now.getTime());
    try {
      const definition = await loadVersion(db, { workspaceId: flow.workspaceId, versionId });
      const candidates = (definition?.nodes ?? []).flatMap((node) => (node.type === "ab_split" && node.autoPromote === true && isTesting(node) ? [node] : []));
      if (!definition || candidates.length === 0) continue;
      const done = new Set((await promotionsOf(db, { workspaceId: flow.workspaceId, flowId: flow.id })).map((record) => record.nodeId));
      const open = new Set(candidates.map((node) => node.id).filter((id) => !done.has(id)));
      if (open.size === 0) continue;
      const { windowDays } = await readAttributionSettings(db, { workspaceId: flow.workspaceId });
      const tests = await abTestsOf(db, { workspaceId: flow.workspaceId, flowId: flow.id, definition, now, attributionWindowDays: windowDays });
      // One promotion per flow per run: the next split is looked at on the version this one publishes.
      const decided = tests.find((test) => open.has(test.nodeId) && test.verdict.kind === "winner");
      if (!decided || decided.verdict.kind !== "winner") continue;
      const result = await promoteAbVariant(deps, { workspaceId: flow.workspaceId, flowId: flow.id, nodeId: decided.nodeId, variantId: decided.verdict.variant, actor: SYSTEM_ACTOR, test: decided });
      logger.info({ workspaceId: flow.workspaceId, flowId: flow.id, nodeId: decided.nodeId, variant: decided.verdict.variant, version: result.version }, "A/B winner promoted");
      promoted += 1;
    } catch (error) {
      logger.error({ workspaceId: flow.workspaceId, flowId: flow.id, err: error }, "A/B winner promotion failed");
    }
  }
  return promoted;
}
