// `nudgeflow customers …`: list (search, segment) and one customer's profile with its timeline. Wiring only: the
// data comes from core/customers. `--json` prints what GET /api/v1/customers… answers.
import { parseArgs } from "node:util";
import { systemClock } from "~/core/clock";
import { getCustomerProfile, listCustomers, MAX_PAGE_SIZE, type CustomerProfile, type CustomerRow } from "~/core/customers/customers.server";
import { getSegment } from "~/core/segments/segments.server";
import { CommandError, formatAmount, formatDay, formatTable, runCommand, onePositional, printJson, resolveWorkspaceId, UsageError, withDb } from "./cli";

export const CUSTOMERS_USAGE = `Usage:
  nudgeflow customers list [--workspace ID] [--search TEXT] [--segment ID] [--limit N] [--json]
      Customers by id (default 50, at most ${MAX_PAGE_SIZE}); --search matches a part of the email or name, any case.
  nudgeflow customers show CUSTOMER_ID [--workspace ID] [--json]
      The profile: details, metrics, prediction, segments and the timeline (newest first).
  --workspace defaults to the only workspace when there is exactly one.`;

const fullName = (person: { firstName: string | null; lastName: string | null }) => [person.firstName, person.lastName].filter(Boolean).join(" ");

function customerTable(customers: CustomerRow[]): string {
  return formatTable(
    ["ID", "ORDERS", "SPENT", "LAST ORDER", "MARKETING", "EMAIL", "NAME"],
    customers.map((customer) => [
      customer.id,
      String(customer.ordersCount),
      formatAmount(customer.totalSpent, customer.currency),
      formatDay(customer.lastOrderAt),
      customer.acceptsMarketing ? "yes" : "no",
      customer.email ?? "—",
      fullName(customer) || "—",
    ]),
  );
}

function profileText(profile: CustomerProfile): string {
  const { customer, metrics, prediction, segments, timeline } = profile;
  const place = [customer.city, customer.region, customer.country].filter(Boolean).join(", ");
  const lines = [
    `${fullName(customer) || customer.email || customer.id}  (${customer.id})`,
    `  email ${customer.email ?? "—"} · phone ${customer.phone ?? "—"} · marketing ${customer.acceptsMarketing ? "subscribed" : "not subscribed"}`,
    `  location ${place || "—"} · first seen in ${customer.originStore?.name ?? "—"} · customer since ${formatDay(customer.createdAt)}`,
    `  tags ${customer.tags.length ? customer.tags.join(", ") : "—"}`,
    "",
    "Metrics",
    `  orders ${metrics.ordersCount} · spent ${formatAmount(metrics.totalSpent, metrics.currency)} · average order ${metrics.averageOrderValue === null ? "—" : formatAmount(metrics.averageOrderValue, metrics.currency)}`,
    `  first order ${formatDay(metrics.firstOrderAt)} · last order ${formatDay(metrics.lastOrderAt)}${metrics.daysSinceLastOrder === null ? "" : ` (${metrics.daysSinceLastOrder} days ago)`}`,
    "",
    "Prediction",
    prediction
      ? [
          `  churn probability ${prediction.churnProbability.toFixed(2)} (80 % interval ${prediction.churnLow.toFixed(2)}–${prediction.churnHigh.toFixed(2)})`,
          `  12-month value ${formatAmount(prediction.clv12m, prediction.currency)} (${formatAmount(prediction.clvLow, prediction.currency)}–${formatAmount(prediction.clvHigh, prediction.currency)}) · expected orders ${prediction.expectedOrders12m.toFixed(1)}`,
          `  next order ${prediction.nextOrderAt ? `${formatDay(prediction.nextOrderAt)} (${formatDay(prediction.nextOrderLow)} – ${formatDay(prediction.nextOrderHigh)})` : "none expected within a year"} · computed ${formatDay(prediction.computedAt)}`,
        ].join("\n")
      : "  none yet (the model has not been fitted for this workspace)",
    "",
    "Segments",
    ...(segments.length
      ? segments.map((segment) => `  ${segment.name} (${segment.segmentId}) since ${formatDay(segment.enteredAt)}${segment.why ? `: ${segment.why}` : ""}`)
      : ["  none"]),
    "",
    `Timeline (${timeline.length}, newest first)`,
    ...(timeline.length
      ? timeline.map((entry) => `  ${entry.at.toISOString().slice(0, 16).replace("T", " ")}  ${entry.title}${entry.detail ? ` — ${entry.detail}` : ""}`)
      : ["  nothing yet"]),
  ];
  return lines.join("\n");
}

export async function runCustomersCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  return runCommand(
    CUSTOMERS_USAGE,
    async () => {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          workspace: { type: "string" },
          json: { type: "boolean", default: false },
          search: { type: "string" },
          segment: { type: "string" },
          limit: { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      });
      await withDb(options.databaseUrl, async (db) => {
        switch (subcommand) {
          case "list": {
            if (positionals.length) throw new UsageError(`customers list takes no argument (got "${positionals.join(" ")}")`);
            const take = values.limit === undefined ? 50 : Number(values.limit);
            if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) throw new UsageError(`--limit is a whole number from 1 to ${MAX_PAGE_SIZE}`);
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            if (values.segment && !(await getSegment(db, { workspaceId, segmentId: values.segment }))) {
              throw new CommandError(`There is no segment ${values.segment} in workspace ${workspaceId}.`);
            }
            const page = await listCustomers(db, { workspaceId, search: values.search, segmentId: values.segment, take });
            if (values.json) return printJson(page);
            if (page.customers.length === 0) return console.log("No customers match.");
            console.log(customerTable(page.customers));
            if (page.nextCursor) console.log(`… more customers: raise --limit (up to ${MAX_PAGE_SIZE}) or narrow --search.`);
            return;
          }
          case "show": {
            const customerId = onePositional(positionals, "CUSTOMER_ID");
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            const profile = await getCustomerProfile(db, { workspaceId, customerId, now: systemClock.now() });
            if (!profile) throw new CommandError(`There is no customer ${customerId} in workspace ${workspaceId}.`);
            if (values.json) return printJson(profile);
            console.log(profileText(profile));
            return;
          }
          default:
            throw new UsageError(subcommand ? `Unknown customers command "${subcommand}".` : "Name a customers command.");
        }
      });
    },
  );
}
