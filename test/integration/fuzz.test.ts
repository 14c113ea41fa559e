// Fuzzing the parsers that take untrusted or hand-written input (issue 10): flow definitions, segment rules, Liquid
// templates and platform webhook payloads. Whatever arrives, each answers with a value — a parsed result or a list
// of clear problems — and never throws. Inputs are random JSON and, more usefully, valid documents with one part
// replaced or removed, which reach far deeper than random JSON does.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adapterFor } from "~/core/adapters/registry";
import { CanonicalEvent } from "~/core/events";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { validateDefinition } from "~/core/flows/definition";
import { checkTemplate, renderEmail } from "~/core/messaging/render";
import { BUILTIN_SEGMENT_DEFINITIONS, validateRule } from "~/core/segments/rules";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const RUNS = 400;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One edit of a JSON document: at the path chosen by `steps`, replace the value with `value`, or delete it. */
interface Edit {
  steps: number[];
  action: "replace" | "delete";
  value: Json;
}

const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  steps: fc.array(fc.nat(), { minLength: 0, maxLength: 6 }),
  action: fc.constantFrom("replace", "delete"),
  value: fc.jsonValue() as fc.Arbitrary<Json>,
});

function applyEdit(document: Json, edit: Edit): Json {
  const copy = structuredClone(document);
  if (edit.steps.length === 0) return edit.action === "replace" ? edit.value : null;
  let parent: Json = copy;
  for (const [depth, step] of edit.steps.entries()) {
    if (typeof parent !== "object" || parent === null) break;
    const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, index) => index) : Object.keys(parent);
    if (keys.length === 0) break;
    const key = keys[step % keys.length];
    const container = parent as Record<string | number, Json>;
    const last = depth === edit.steps.length - 1 || typeof container[key] !== "object" || container[key] === null;
    if (last) {
      if (edit.action === "replace") container[key] = edit.value;
      else if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete container[key];
      break;
    }
    parent = container[key];
  }
  return copy;
}

function documents(bases: Json[]): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue() as fc.Arbitrary<Json> },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...bases), fc.array(editArbitrary, { minLength: 1, maxLength: 3 })).map(([base, edits]) => edits.reduce(applyEdit, base)) },
  );
}

/** Counts both outcomes, so a fuzz run that only ever produced one of them (inputs too tame or too wild) fails. */
function outcomes() {
  const seen = { ok: 0, rejected: 0 };
  return {
    seen,
    expectBoth() {
      expect(seen.ok, "no input was accepted").toBeGreaterThan(0);
      expect(seen.rejected, "no input was rejected").toBeGreaterThan(0);
    },
  };
}

function expectClearProblems(problems: { path: string; message: string }[]) {
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem.path).toMatch(/\S/);
    expect(problem.message).toMatch(/\S/);
  }
}

describe("fuzzing untrusted input", () => {
  it("flow definitions: a parsed definition or precise problems, never a throw", () => {
    const bases = BLUEPRINTS.map((blueprint) => blueprint.definition as unknown as Json);
    const tally = outcomes();
    fc.assert(
      fc.property(documents(bases), (input) => {
        const result = validateDefinition(input);
        if (!result.ok) expectClearProblems(result.problems);
        else expect(result.definition.nodes.length).toBeGreaterThan(0);
        tally.seen[result.ok ? "ok" : "rejected"] += 1;
      }),
      { numRuns: RUNS, seed: 20261125 },
    );
    tally.expectBoth();
  });

  it("segment rules: a parsed rule or precise problems, never a throw", () => {
    const bases = Object.values(BUILTIN_SEGMENT_DEFINITIONS).map((segment) => segment.rule as unknown as Json);
    const tally = outcomes();
    fc.assert(
      fc.property(documents(bases), (input) => {
        const result = validateRule(input);
        if (!result.ok) expectClearProblems(result.problems);
        else expect(result.rule.kind).toBe("group");
        tally.seen[result.ok ? "ok" : "rejected"] += 1;
      }),
      { numRuns: RUNS, seed: 20261125 },
    );
    tally.expectBoth();
  });

  it("Liquid templates: syntax errors are reported by the check, and what passes the check renders", async () => {
    const pieces = ["{{", "}}", "{%", "%}", " if ", " endif ", " for x in items ", " endfor ", "customer.first_name", " | ", "upcase", "'", "\"", "<b>", "x"];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 })), { maxLength: 12 }), async (parts) => {
        const source = parts.join("");
        const problems = checkTemplate(source);
        for (const problem of problems) expect(problem).toMatch(/\S/);
        if (problems.length === 0) {
          const rendered = await renderEmail({ subject: "s", preheader: "", html: source, text: source }, { customer: { first_name: "Ada" }, items: [1, 2] });
          expect(typeof rendered.html).toBe("string");
        }
      }),
      { numRuns: RUNS, seed: 20261125 },
    );
  });

  const store = { id: "store_1", domain: "fuzz.myshopify.com", currency: "USD", timezone: "UTC" };
  const shopifyTopics: [string, string][] = [
    ["checkouts/create", "checkouts_create"],
    ["checkouts/update", "checkouts_update"],
    ["carts/update", "carts_update"],
    ["orders/create", "orders_create"],
    ["orders/paid", "orders_paid"],
    ["orders/cancelled", "orders_cancelled"],
    ["fulfillments/update", "fulfillments_update"],
    ["customers/create", "customers_create"],
    ["customers/delete", "customers_delete"],
    ["customers_email_marketing_consent/update", "customers_email_marketing_consent_update"],
    ["customers/redact", "customers_redact"],
  ];

  it.each(shopifyTopics)("Shopify %s payloads: canonical events that pass their schema, or an error, never a throw", (topic, name) => {
    const base = fixture("shopify", name) as Json;
    const tally = outcomes();
    fc.assert(
      fc.property(documents([base]), (payload) => {
        const result = adapterFor("shopify").toCanonical({ topic, payload, receivedAt: "2026-11-25T12:00:00.000Z" }, store);
        if (!result.ok) expect(result.error).toMatch(/\S/);
        else for (const event of result.events) expect(CanonicalEvent.safeParse(event).success).toBe(true);
        tally.seen[result.ok ? "ok" : "rejected"] += 1;
      }),
      { numRuns: RUNS / 4, seed: 20261125 },
    );
    tally.expectBoth();
  });

  it.each([
    ["order.updated", "order"],
    ["customer.updated", "customer"],
  ])("WooCommerce %s payloads: canonical events or an error, never a throw", (topic, name) => {
    const base = fixture("woocommerce", name) as Json;
    const tally = outcomes();
    fc.assert(
      fc.property(documents([base]), (payload) => {
        const result = adapterFor("woocommerce").toCanonical({ topic, payload, receivedAt: "2026-11-25T12:00:00.000Z" }, store);
        if (!result.ok) expect(result.error).toMatch(/\S/);
        else for (const event of result.events) expect(CanonicalEvent.safeParse(event).success).toBe(true);
        tally.seen[result.ok ? "ok" : "rejected"] += 1;
      }),
      { numRuns: RUNS / 4, seed: 20261125 },
    );
    tally.expectBoth();
  });
});

describe("fuzzing the Shopify webhook endpoint over HTTP", () => {
  let harness: ShopifyAppHarness;
  const [, createUrl] = databaseTargets()[0]; // SQLite: the endpoint's answers do not depend on the database

  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), clockStart: "2026-11-25T12:00:00Z", shopify: { storeApi: false }, sendgrid: false });
  });
  afterAll(async () => {
    await harness?.stop();
    await dropAll();
  });

  it("answers every signed delivery with 200 (or a clear 4xx), keeps it, and the worker settles each one with a reason", async () => {
    const topics = ["checkouts/update", "orders/create", "customers/update", "carts/update"] as const;
    const bases: Record<(typeof topics)[number], Json> = {
      "checkouts/update": fixture("shopify", "checkouts_update") as Json,
      "orders/create": fixture("shopify", "orders_create") as Json,
      "customers/update": fixture("shopify", "customers_update") as Json,
      "carts/update": fixture("shopify", "carts_update") as Json,
    };
    const deliveries = fc.sample(
      fc.tuple(fc.constantFrom(...topics), fc.array(editArbitrary, { minLength: 1, maxLength: 3 }), fc.oneof(fc.constant(null), fc.string({ maxLength: 40 }))),
      { numRuns: 40, seed: 20261125 },
    );
    for (const [topic, edits, rawText] of deliveries) {
      // Mostly edited fixtures; some raw strings, which are not JSON at all.
      const body = rawText ?? edits.reduce(applyEdit, bases[topic]);
      const delivery = await harness.deliver(topic, typeof body === "string" ? body : JSON.stringify(body));
      expect(delivery.status, `${topic}: ${delivery.text}`).toBe(200);
    }
    await harness.worker.tick();
    const rows = await harness.db.inboxEvent.findMany({ select: { status: true, error: true } });
    expect(rows).toHaveLength(deliveries.length);
    for (const row of rows) {
      expect(["processed", "failed"]).toContain(row.status);
      if (row.status === "failed") expect(row.error).toMatch(/\S/);
    }
    expect(rows.some((row) => row.status === "failed")).toBe(true);
  });
});
