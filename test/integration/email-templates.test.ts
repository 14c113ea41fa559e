// Block templates through the real pipeline, over real HTTP against the real app server: the abandoned-cart
// blueprint's first email (blocks → MJML → HTML and text) reaches the SendGrid emulator with the workspace's
// branding, its links rewritten through /r/… (the unsubscribe link and headers untouched); a click through /r/
// records a click event and redirects only to a URL the template contained. A test send goes out marked as a
// test, without List-Unsubscribe, and counts in no flow. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { flowKpis } from "~/core/analytics/kpis.server";
import { enableBlueprint } from "~/core/flows/manage.server";
import { saveBranding } from "~/core/messaging/branding.server";
import { createClickLinks, recordClick } from "~/core/messaging/links.server";
import { messageContentOf } from "~/core/messaging/content.server";
import { sendTestEmail } from "~/core/messaging/email/preview.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

/** The parts of a tracked link's token: message id, link index, URL (base64url), signature. */
const tokenOf = (href: string) => href.slice(href.indexOf("/r/") + 3).split(".");

describe.each(databaseTargets())("block email templates and click tracking on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-03-02T09:00:00Z",
      shopify: false,
      sendgrid: { apiKey: "SG.email-templates-test" },
      extraEnv: () => ({ DEMO_PASSWORD: "email-templates-test" }),
      // No UNSUBSCRIBE_SECRET: the worker signs with the key stored in the database, which the app server reads too.
      workerDeps: ({ db, app }) => ({ unsubscribe: createUnsubscribeLinks({ db, appUrl: app.url }), clicks: createClickLinks({ db, appUrl: app.url }) }),
    });
    const { db, clock } = harness;
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "email-templates-test", now: clock.now() }));
    const saved = await saveBranding(db, { workspaceId, branding: { primaryColor: "#0a7d4f", footerAddress: "12 Market Street, Springfield", logoUrl: "https://cdn.demo.example/logo.png" } });
    expect(saved.ok).toBe(true);
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
  });

  afterAll(() => harness?.stop());

  it("sends the blueprint's block email, branded, with tracked links and the unsubscribe link as it is", async () => {
    // GIVEN a shopper abandons a checkout
    const { email } = await simulateAbandonedCheckout({ db: harness.db, clock: harness.clock }, { workspaceId });

    // WHEN the first reminder is due and the worker runs
    await harness.worker.tick();

    // THEN SendGrid got the block email: items, branding, the footer's address, every link through /r/
    const sent = harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email);
    expect(sent, harness.app.output()).toHaveLength(1);
    const html = sent[0].body.content?.find((part) => part.type === "text/html")?.value ?? "";
    const text = sent[0].body.content?.find((part) => part.type === "text/plain")?.value ?? "";
    const message = await harness.db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email } });
    const signers = { unsubscribe: createUnsubscribeLinks({ db: harness.db, appUrl: harness.app.url }), clicks: createClickLinks({ db: harness.db, appUrl: harness.app.url }) };
    expect((await messageContentOf({ db: harness.db, ...signers }, message))?.html).toBe(html); // its own email, as stored (ADR 0035)
    expect(html).toContain("We saved your items");
    expect(html).toContain('src="https://cdn.demo.example/logo.png"');
    expect(html).toContain("#0a7d4f");
    expect(html).toContain("12 Market Street, Springfield");
    expect(html).toContain("Return to your cart");
    const unsubscribe = /^<(.+)>$/.exec(sent[0].body.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(unsubscribe.startsWith(`${harness.app.url}/unsubscribe/${message.id}.`)).toBe(true);
    expect(sent[0].body.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(html).toContain(`href="${unsubscribe}"`);
    const hrefs = [...html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/g)].map((match) => match[1].replace(/&amp;/g, "&"));
    const tracked = hrefs.filter((href) => href !== unsubscribe);
    expect(tracked.length).toBeGreaterThanOrEqual(2); // the logo's link to the store and the recovery button
    for (const href of tracked) expect(href.startsWith(`${harness.app.url}/r/${message.id}.`), href).toBe(true);
    // The plain-text part keeps the real links.
    const recovery = /Return to your cart: (\S+)/.exec(text)?.[1] ?? "";
    expect(recovery).toMatch(/^https:\/\//);
    expect(text).toContain(`Unsubscribe: ${unsubscribe}`);

    // WHEN the shopper clicks the recovery button
    const button = tracked.find((href) => Buffer.from(tokenOf(href)[2] ?? "", "base64url").toString() === recovery);
    expect(button, `one of ${tracked.join(", ")} leads to ${recovery}`).toBeDefined();
    const response = await fetch(button!, { redirect: "manual" });

    // THEN they are redirected to the recovery link and a click is recorded on the message
    expect(response.status, harness.app.output()).toBe(302);
    expect(response.headers.get("location")).toBe(recovery);
    const clicks = await harness.db.messageEvent.findMany({ where: { messageId: message.id, type: "click" } });
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ provider: "nudgeflow", url: recovery, workspaceId });

    // AND a repeat within the same second is the same click; a second later it is another
    const target = { messageId: message.id, index: 0, url: recovery };
    await recordClick({ db: harness.db, clock: harness.clock }, target);
    await recordClick({ db: harness.db, clock: harness.clock }, target);
    harness.clock.advance({ seconds: 1 });
    await recordClick({ db: harness.db, clock: harness.clock }, target);
    expect(await harness.db.messageEvent.count({ where: { messageId: message.id, type: "click", providerEventId: { startsWith: `click:${message.id}:0:` } } })).toBe(2);
  });

  it("redirects only to URLs the template contained: an altered or unknown token is 404", async () => {
    const message = await harness.db.message.findFirstOrThrow({ where: { workspaceId, nodeId: "email-reminder" } });
    // Its own HTML: the step's content stored once, with this message's tokens signed in (content.server.ts)
    const signers = { unsubscribe: createUnsubscribeLinks({ db: harness.db, appUrl: harness.app.url }), clicks: createClickLinks({ db: harness.db, appUrl: harness.app.url }) };
    const { html } = (await messageContentOf({ db: harness.db, ...signers }, message))!;
    const link = [...html.matchAll(/href="([^"]*\/r\/[^"]*)"/g)][0][1];
    const base = link.slice(0, link.indexOf("/r/") + 3);
    const [messageId, index, url, signature] = tokenOf(link);
    const evil = Buffer.from("https://evil.example/phish").toString("base64url");
    const before = await harness.db.messageEvent.count({ where: { type: "click" } });
    for (const token of [`${messageId}.${index}.${evil}.${signature}`, `${messageId}.${Number(index) + 1}.${url}.${signature}`, "msg_nope.0.aHR0cHM6Ly94.c2ln", "garbage"]) {
      const response = await fetch(`${base}${token}`, { redirect: "manual" });
      expect(response.status, token).toBe(404);
      expect(response.headers.get("location")).toBeNull();
    }
    expect(await harness.db.messageEvent.count({ where: { type: "click" } })).toBe(before);
  });

  it("sends a test email through the normal sender, marked as a test, outside every flow", async () => {
    const node = BLUEPRINTS.find((b) => b.id === "abandoned-cart")!.definition.nodes.find((n) => n.id === "email-incentive")!;
    const window = { from: new Date(harness.clock.now().getTime() - 86_400_000), to: new Date(harness.clock.now().getTime() + 86_400_000) };
    const before = await flowKpis(harness.db, { workspaceId, ...window });
    const result = await sendTestEmail(
      { db: harness.db, clock: harness.clock, defaultFrom: "Demo <demo@nudgeflow.dev>" },
      { workspaceId, trigger: BLUEPRINTS[0].definition.trigger, node, nodeId: node.id, to: "merchant@demo.example", unsubscribeUrl: `${harness.app.url}/unsubscribe/preview` },
    );
    expect(result.ok).toBe(true);
    await harness.worker.tick();
    const sent = harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === "merchant@demo.example");
    expect(sent).toHaveLength(1);
    expect(sent[0].body.subject).toBe("[Test] 10% off the items in your cart");
    expect(sent[0].body.headers?.["List-Unsubscribe"]).toBeUndefined();
    const html = sent[0].body.content?.find((part) => part.type === "text/html")?.value ?? "";
    expect(html).toContain("WELCOMEBACK");
    expect(html).toContain("Linen shirt"); // sample data
    expect(await harness.db.message.findFirstOrThrow({ where: { toEmail: "merchant@demo.example" } })).toMatchObject({ kind: "test", flowId: null, customerId: null, status: "sent" });

    // AND it counts in no KPI, even once it is clicked
    const test = await harness.db.message.findFirstOrThrow({ where: { toEmail: "merchant@demo.example" } });
    await recordClick({ db: harness.db, clock: harness.clock }, { messageId: test.id, index: 0, url: "https://demo-store.nudgeflow.dev" });
    const after = await flowKpis(harness.db, { workspaceId, ...window });
    expect(after.totals.emailsSent).toBe(before.totals.emailsSent);
    expect(after.totals.recipients).toBe(before.totals.recipients);
    expect(after.totals.clickRate).toEqual(before.totals.clickRate);

    // AND a template with an unknown variable is refused before anything is written
    const broken = { ...node, subject: "Hi {{ customer.nickname }}" };
    const refused = await sendTestEmail(
      { db: harness.db, clock: harness.clock, defaultFrom: "Demo <demo@nudgeflow.dev>" },
      { workspaceId, trigger: BLUEPRINTS[0].definition.trigger, node: broken, nodeId: node.id, to: "merchant@demo.example", unsubscribeUrl: "https://x.example" },
    );
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining("customer.nickname") });
  });
});
