// Predictions in the database: fit a workspace's model from its orders and write every customer's forecast
// (fitWorkspaceModel), recompute one customer after their order with the stored model (predictCustomer), and refit
// daily from the worker (runPredictionMaintenance). The statistics are in model.ts; docs/predictions.md explains them.
import type { Db, DbTx, Prisma } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Logger } from "~/core/logger.server";
import {
  DAY_MS,
  fitPurchaseModel,
  fitSpendModel,
  forecastCustomer,
  HORIZON_DAYS,
  INTERVAL,
  MODEL_VERSION,
  priorSpendModel,
  purchaseData,
  StoredModel,
  VARIANT,
  type CustomerForecast,
  type CustomerStats,
  type StoredSpendFit,
} from "./model";
import { hashSeed, Random } from "./random";

/** Order aggregates are read in pages of this many (customer, currency) groups. */
const READ_PAGE = 5_000;
/** Forecasts are written in transactions of this many customers. */
const WRITE_BATCH = 500;
/** Above this many customers the fit uses a uniform sample weighted up to the whole (model.ts, fitPurchaseModel). */
export const MAX_FIT_CUSTOMERS = 20_000;
/** A model older than this is refitted by the worker. */
export const REFIT_AFTER_MS = 24 * 3_600_000;
/** Workspaces refitted per maintenance run at most, so one worker tick stays short. */
const FITS_PER_RUN = 2;

interface CustomerHistory {
  customerId: string;
  currency: string;
  stats: CustomerStats;
}

interface OrderGroup {
  customerId: string | null;
  currency: string;
  _count: { _all: number };
  _sum: { totalPrice: number | null };
  _min: { placedAt: Date | null };
  _max: { placedAt: Date | null };
}

/** One customer's (customer, currency) groups → their history at `now`; the currency with most orders carries spend. */
function toHistory(customerId: string, groups: OrderGroup[], now: Date): CustomerHistory | null {
  let orders = 0;
  let first = Infinity;
  let last = -Infinity;
  let main: OrderGroup | null = null;
  for (const group of groups) {
    orders += group._count._all;
    first = Math.min(first, group._min.placedAt?.getTime() ?? Infinity);
    last = Math.max(last, group._max.placedAt?.getTime() ?? -Infinity);
    const better =
      !main ||
      group._count._all > main._count._all ||
      (group._count._all === main._count._all && (group._sum.totalPrice ?? 0) > (main._sum.totalPrice ?? 0));
    if (better) main = group;
  }
  if (!main || orders === 0 || !Number.isFinite(first)) return null;
  const spendOrders = main._count._all;
  return {
    customerId,
    currency: main.currency,
    stats: {
      x: orders - 1,
      tx: (last - first) / DAY_MS,
      T: Math.max(0, (now.getTime() - first) / DAY_MS),
      spendOrders,
      spendMean: Math.max(0, (main._sum.totalPrice ?? 0) / spendOrders),
    },
  };
}

/**
 * Every customer of the workspace with an order placed by `now` (cancelled ones excluded), aggregated in SQL by
 * (customer, currency) and read in pages ordered by customer, so memory holds only the aggregates.
 */
async function readHistories(db: DbTx, input: { workspaceId: string; now: Date; customerId?: string }): Promise<CustomerHistory[]> {
  const histories: CustomerHistory[] = [];
  let cursor: string | null = null;
  for (;;) {
    const customerFilter: Prisma.StringNullableFilter<"Order"> = input.customerId ? { equals: input.customerId } : cursor ? { gt: cursor } : { not: null };
    const groups = await db.order.groupBy({
      by: ["customerId", "currency"],
      where: { workspaceId: input.workspaceId, cancelledAt: null, placedAt: { lte: input.now }, customerId: customerFilter },
      _count: { _all: true },
      _sum: { totalPrice: true },
      _min: { placedAt: true },
      _max: { placedAt: true },
      orderBy: [{ customerId: "asc" }, { currency: "asc" }],
      take: READ_PAGE,
    });
    const page: OrderGroup[] = groups;
    const full = page.length === READ_PAGE;
    // A full page may end in the middle of a customer's currencies: that customer is read again with the next page.
    const lastCustomer = full ? page[page.length - 1].customerId : null;
    let start = 0;
    while (start < page.length) {
      const customerId = page[start].customerId;
      let end = start;
      while (end < page.length && page[end].customerId === customerId) end += 1;
      if (customerId && !(full && customerId === lastCustomer && start > 0)) {
        const history = toHistory(customerId, page.slice(start, end), input.now);
        if (history) histories.push(history);
      }
      start = end;
    }
    if (!full) return histories;
    const lastComplete = page.findLast((group) => group.customerId !== lastCustomer)?.customerId ?? lastCustomer;
    cursor = lastComplete;
  }
}

/** A deterministic uniform sample of at most `max` indices of `n`, and the weight that scales it up to n. */
function sampleForFit(n: number, max: number, seed: number): { indices: number[]; weight: number } {
  const all = Array.from({ length: n }, (_, index) => index);
  if (n <= max) return { indices: all, weight: 1 };
  const random = new Random(seed);
  for (let i = 0; i < max; i += 1) {
    const j = i + random.int(n - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return { indices: all.slice(0, max).sort((a, b) => a - b), weight: n / max };
}

function fitModel(histories: CustomerHistory[], seed: number): StoredModel {
  const started = performance.now();
  const sample = sampleForFit(histories.length, MAX_FIT_CUSTOMERS, seed);
  const sampled = sample.indices.map((index) => histories[index]);
  const purchase = fitPurchaseModel(purchaseData(sampled.map((history) => history.stats)), { variant: VARIANT, seed, weight: sample.weight });
  const spend: Record<string, StoredSpendFit> = {};
  const byCurrency = new Map<string, CustomerHistory[]>();
  for (const history of histories) {
    const list = byCurrency.get(history.currency);
    if (list) list.push(history);
    else byCurrency.set(history.currency, [history]);
  }
  for (const [currency, customers] of byCurrency) {
    const totalValue = customers.reduce((sum, { stats }) => sum + stats.spendMean * stats.spendOrders, 0);
    const totalOrders = customers.reduce((sum, { stats }) => sum + stats.spendOrders, 0);
    const currencySample = sampleForFit(customers.length, MAX_FIT_CUSTOMERS, seed + 1);
    const chosen = currencySample.indices.map((index) => customers[index].stats);
    spend[currency] = fitSpendModel(chosen.map((stats) => stats.spendOrders), chosen.map((stats) => stats.spendMean), {
      meanOrderValue: totalOrders > 0 ? totalValue / totalOrders : 1,
      seed: seed + hashSeed(currency),
      weight: currencySample.weight,
    });
  }
  return {
    version: MODEL_VERSION,
    variant: VARIANT,
    timeUnit: "day",
    horizonDays: HORIZON_DAYS,
    interval: { low: INTERVAL.low, high: INTERVAL.high },
    purchase,
    spend,
    seed,
    fitMs: Math.round(performance.now() - started),
  };
}

function dateAfter(now: Date, days: number): Date | null {
  return Number.isFinite(days) && days <= HORIZON_DAYS ? new Date(now.getTime() + days * DAY_MS) : null;
}

function forecastFor(model: StoredModel, history: CustomerHistory): CustomerForecast {
  const spend = model.spend[history.currency] ?? priorSpendModel(history.stats.spendMean);
  return forecastCustomer({ variant: model.variant, purchase: model.purchase, spend, horizonDays: model.horizonDays }, history.stats, hashSeed(history.customerId) ^ model.seed);
}

function toRow(workspaceId: string, history: CustomerHistory, forecast: CustomerForecast, now: Date) {
  return {
    customerId: history.customerId,
    workspaceId,
    churnProbability: forecast.churnProbability,
    churnLow: forecast.churnLow,
    churnHigh: forecast.churnHigh,
    expectedOrders12m: forecast.expectedOrders,
    clv12m: Math.round(forecast.clv),
    clvLow: Math.round(forecast.clvLow),
    clvHigh: Math.round(forecast.clvHigh),
    currency: history.currency,
    nextOrderAt: dateAfter(now, forecast.nextOrderDays),
    nextOrderLow: dateAfter(now, forecast.nextOrderLowDays),
    nextOrderHigh: dateAfter(now, forecast.nextOrderHighDays),
    computedAt: now,
  };
}

/** The stored model of a workspace, or null (none yet, or written by an incompatible version). */
export async function readModel(db: DbTx, input: { workspaceId: string }): Promise<{ model: StoredModel; customers: number; fittedAt: Date } | null> {
  const row = await db.predictionModel.findUnique({ where: { workspaceId: input.workspaceId } });
  if (!row) return null;
  const parsed = StoredModel.safeParse(row.params);
  return parsed.success ? { model: parsed.data, customers: row.customers, fittedAt: row.fittedAt } : null;
}

/**
 * Fits the workspace's model to its order history at `now`, stores it, and writes every customer's forecast
 * (customers without an order get none; a stale forecast of theirs is removed).
 */
export async function fitWorkspaceModel(db: Db, input: { workspaceId: string; now: Date }): Promise<{ customers: number }> {
  const { workspaceId, now } = input;
  const histories = await readHistories(db, { workspaceId, now });
  const model = fitModel(histories, hashSeed(workspaceId));
  await db.predictionModel.upsert({
    where: { workspaceId },
    create: { workspaceId, params: model, customers: histories.length, fittedAt: now },
    update: { params: model, customers: histories.length, fittedAt: now },
  });
  for (let start = 0; start < histories.length; start += WRITE_BATCH) {
    const batch = histories.slice(start, start + WRITE_BATCH);
    const rows = batch.map((history) => toRow(workspaceId, history, forecastFor(model, history), now));
    // Replace in one short transaction per batch: a reader sees each customer's old or new forecast, never none.
    await db.$transaction([
      db.customerPrediction.deleteMany({ where: { customerId: { in: batch.map((history) => history.customerId) } } }),
      db.customerPrediction.createMany({ data: rows }),
    ]);
  }
  await db.customerPrediction.deleteMany({ where: { workspaceId, computedAt: { lt: now } } });
  return { customers: histories.length };
}

/**
 * Recomputes one customer's forecast with the workspace's stored model, inside the caller's transaction (the inbox
 * calls it after each of their orders, before segments are re-evaluated). Without a model it does nothing: the
 * worker fits one shortly. A customer left without orders (all cancelled) loses their forecast.
 */
export async function predictCustomer(tx: DbTx, input: { workspaceId: string; customerId: string; now: Date }): Promise<void> {
  const stored = await readModel(tx, { workspaceId: input.workspaceId });
  if (!stored) return;
  const [history] = await readHistories(tx, input);
  if (!history) {
    await tx.customerPrediction.deleteMany({ where: { customerId: input.customerId, workspaceId: input.workspaceId } });
    return;
  }
  const row = toRow(input.workspaceId, history, forecastFor(stored.model, history), input.now);
  await tx.customerPrediction.upsert({ where: { customerId: input.customerId }, create: row, update: row });
}

/**
 * Refits the workspaces whose model is missing or older than a day, oldest first and a few per run. One failing
 * workspace is logged and skipped. Returns how many were refitted.
 */
export async function runPredictionMaintenance(deps: { db: Db; clock: Clock; logger: Logger }): Promise<number> {
  const now = deps.clock.now();
  const [workspaces, models] = await Promise.all([
    deps.db.workspace.findMany({ select: { id: true } }),
    deps.db.predictionModel.findMany({ select: { workspaceId: true, fittedAt: true } }),
  ]);
  const fittedAt = new Map(models.map((model) => [model.workspaceId, model.fittedAt.getTime()]));
  const due = workspaces
    .filter((workspace) => (fittedAt.get(workspace.id) ?? -Infinity) <= now.getTime() - REFIT_AFTER_MS)
    .sort((a, b) => (fittedAt.get(a.id) ?? -Infinity) - (fittedAt.get(b.id) ?? -Infinity))
    .slice(0, FITS_PER_RUN);
  let fitted = 0;
  for (const workspace of due) {
    try {
      const result = await fitWorkspaceModel(deps.db, { workspaceId: workspace.id, now });
      deps.logger.info({ workspaceId: workspace.id, customers: result.customers }, "prediction model fitted");
      fitted += 1;
    } catch (error) {
      deps.logger.error({ workspaceId: workspace.id, err: error }, "prediction model fit failed");
    }
  }
  return fitted;
}

/** A customer's stored forecast and the model it came from, for the CLI and the profile. */
export async function getCustomerPrediction(db: DbTx, input: { workspaceId: string; customerId: string }) {
  return db.customerPrediction.findFirst({ where: { workspaceId: input.workspaceId, customerId: input.customerId } });
}
