// `nudgeflow predictions …`: fit a workspace's model now, show one customer's forecast, and the validation report
// against synthetic stores (docs/predictions.md). Wiring only: the statistics live in core/predictions.
import { parseArgs } from "node:util";
import { systemClock } from "~/core/clock";
import { formatMoney } from "~/core/money";
import { fitWorkspaceModel, getCustomerPrediction, readModel } from "~/core/predictions/predictions.server";
import { SCENARIOS, validateScenario, type ValidationRow } from "~/core/predictions/simulate";
import { createDb, type Db } from "~/db.server";
import { runCommand, UsageError } from "./cli";

export const PREDICTIONS_USAGE = `Usage:
  nudgeflow predictions fit --workspace ID [--json]
      Fit the workspace's purchase and spend models to its orders now and rewrite every customer's forecast
      (the worker does this daily on its own).
  nudgeflow predictions show --workspace ID --customer ID [--json]
      A customer's churn probability, expected orders, 12-month value and next order, with their 80 % intervals.
  nudgeflow predictions validate [--sizes 200,1000,10000] [--replicates 20,5,3] [--seed N] [--json]
      Fit synthetic stores with known parameters and report the error (the table in docs/predictions.md).`;

async function withDb<T>(databaseUrl: string, use: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(databaseUrl);
  try {
    return await use(db);
  } finally {
    await db.$disconnect();
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "—");

async function fit(db: Db, values: { workspace: string; json: boolean }) {
  const started = performance.now();
  const result = await fitWorkspaceModel(db, { workspaceId: values.workspace, now: systemClock.now() });
  const stored = await readModel(db, { workspaceId: values.workspace });
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    console.log(JSON.stringify({ customers: result.customers, seconds, model: stored?.model ?? null }, null, 2));
    return;
  }
  console.log(`Fitted ${result.customers} customers in ${seconds.toFixed(1)} s.`);
  if (!stored) return;
  const { purchase, spend } = stored.model;
  const sd = (value: number) => `×/÷${Math.exp(1.2816 * value).toFixed(2)}`;
  console.log(`Purchases (${stored.model.variant.toUpperCase()}/NBD, days): r ${purchase.r.toFixed(3)} (${sd(purchase.logSd.r)}), α ${purchase.alpha.toFixed(2)} (${sd(purchase.logSd.alpha)}), a ${purchase.a.toFixed(3)} (${sd(purchase.logSd.a)}), b ${purchase.b.toFixed(3)} (${sd(purchase.logSd.b)})`);
  for (const [currency, model] of Object.entries(spend)) {
    console.log(`Spend in ${currency} (Gamma-Gamma): p ${model.p.toFixed(2)}, q ${model.q.toFixed(2)}, γ ${model.gamma.toFixed(0)}; mean order ${formatMoney({ amount: Math.round((model.p * model.gamma) / (model.q - 1)), currency })}`);
  }
}

async function show(db: Db, values: { workspace: string; customer: string; json: boolean }) {
  const prediction = await getCustomerPrediction(db, { workspaceId: values.workspace, customerId: values.customer });
  if (!prediction) {
    console.error("No prediction for this customer: they have no orders, or the workspace has no model yet (`predictions fit`).");
    return 1;
  }
  if (values.json) {
    console.log(JSON.stringify(prediction, null, 2));
    return 0;
  }
  const money = (amount: number) => (prediction.currency ? formatMoney({ amount, currency: prediction.currency }) : String(amount));
  console.log(`Churn probability   ${percent(prediction.churnProbability)} (80 %: ${percent(prediction.churnLow)} – ${percent(prediction.churnHigh)})`);
  console.log(`Orders, next 12 mo  ${prediction.expectedOrders12m.toFixed(2)}`);
  console.log(`Value, next 12 mo   ${money(prediction.clv12m)} (80 %: ${money(prediction.clvLow)} – ${money(prediction.clvHigh)})`);
  console.log(
    prediction.nextOrderAt
      ? `Next order          ${day(prediction.nextOrderAt)} (80 %: ${day(prediction.nextOrderLow)} – ${prediction.nextOrderHigh ? day(prediction.nextOrderHigh) : "later than 12 months, or never"})`
      : "Next order          not expected within 12 months",
  );
  console.log(`Computed            ${prediction.computedAt.toISOString()}`);
  return 0;
}

function numbers(value: string | undefined, fallback: number[], name: string): number[] {
  if (value === undefined) return fallback;
  const list = value.split(",").map(Number);
  if (list.some((item) => !Number.isInteger(item) || item <= 0)) throw new UsageError(`--${name} is a comma-separated list of positive integers`);
  return list;
}

function printValidation(rows: ValidationRow[]) {
  console.log("| store | customers | fits | log-error r / α / a / b | log-error p / q−1 / γ | param. 80 % coverage | orders MAE (oracle) | orders bias | churn Brier (oracle) | churn calib. error | churn interval coverage | CLV MAE $ (oracle) | CLV bias | CLV 80 % coverage | next-order 80 % coverage | fit ms | forecast ms |");
  console.log("|---|---:|---:|---|---|---:|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|");
  const f = (value: number, digits = 2) => value.toFixed(digits);
  for (const row of rows) {
    const e = row.logError;
    console.log(
      `| ${row.scenario} | ${row.customers} | ${row.replicates} | ${f(e.r)} / ${f(e.alpha)} / ${f(e.a)} / ${f(e.b)} | ${f(e.p)} / ${f(e.q)} / ${f(e.gamma)} | ${percent(row.parameterCoverage)} | ${f(row.orders.mae, 3)} (${f(row.orders.oracleMae, 3)}) | ${percent(row.orders.bias)} | ${f(row.churn.brier, 3)} (${f(row.churn.oracleBrier, 3)}) | ${f(row.churn.calibrationError, 3)} | ${percent(row.churn.intervalCoverage)} | ${f(row.clv.mae / 100)} (${f(row.clv.oracleMae / 100)}) | ${percent(row.clv.bias)} | ${percent(row.clv.coverage)} | ${percent(row.nextOrder.coverage)} | ${f(row.fitMs, 0)} | ${f(row.forecastMs, 0)} |`,
    );
  }
}

export async function runPredictionsCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  return runCommand(
    PREDICTIONS_USAGE,
    async () => {
      const { values } = parseArgs({
        args: rest,
        options: {
          workspace: { type: "string" },
          customer: { type: "string" },
          json: { type: "boolean", default: false },
          sizes: { type: "string" },
          replicates: { type: "string" },
          seed: { type: "string" },
        },
        strict: true,
      });
      switch (subcommand) {
        case "validate": {
          const sizes = numbers(values.sizes, [200, 1000, 10000], "sizes");
          const replicates = numbers(values.replicates, [20, 5, 3], "replicates");
          if (replicates.length !== sizes.length) throw new UsageError("--replicates needs one count per size");
          const seed = values.seed === undefined ? 20261125 : Number(values.seed);
          if (!Number.isInteger(seed)) throw new UsageError("--seed is an integer");
          const rows = Object.keys(SCENARIOS).flatMap((scenario) => sizes.map((customers, index) => validateScenario({ scenario, customers, replicates: replicates[index], seed })));
          if (values.json) console.log(JSON.stringify(rows, null, 2));
          else printValidation(rows);
          return 0;
        }
        case "fit":
        case "show": {
          const workspace = values.workspace;
          if (!workspace) throw new UsageError("--workspace is required");
          return await withDb(options.databaseUrl, async (db) => {
            if (subcommand === "fit") {
              await fit(db, { workspace, json: values.json });
              return 0;
            }
            if (!values.customer) throw new UsageError("--customer is required");
            return show(db, { workspace, customer: values.customer, json: values.json });
          });
        }
        default:
          throw new UsageError(subcommand ? `unknown subcommand "${subcommand}"` : "a subcommand is required");
      }
    },
  );
}
