// `nudgeflow stores …` (connect a WooCommerce store, list stores, sync now) and `nudgeflow workspace create`.
// Every command takes --json for machine-readable output.
import { parseArgs } from "node:util";
import { connectWooCommerceStore } from "~/core/adapters/woocommerce/connect.server";
import { systemClock } from "~/core/clock";
import { createLogger } from "~/core/logger.server";
import { listStoresWithSync, syncStore } from "~/core/sync/sync.server";
import { createStandaloneWorkspace } from "~/core/workspaces/workspaces.server";
import { createDb } from "~/db.server";
import { publicAppUrl } from "~/env.server";
import { secretBox } from "~/secrets.server";

export const STORES_USAGE = `Usage: nudgeflow stores <command> [--json]

Commands:
  connect-woocommerce --workspace ID --url URL --key CK --secret CS
        Check the REST API key, store the site (credentials sealed) and register its webhooks (APP_URL must be
        the app's public URL: WooCommerce delivers to {APP_URL}/webhooks/woocommerce/{storeId}).
  list --workspace ID      The workspace's stores, their status and sync state.
  sync --workspace ID --store ID
        Run the store's backfill/reconcile now (the worker also runs it every 15 minutes).`;

export const WORKSPACE_USAGE = `Usage: nudgeflow workspace create --name NAME --email EMAIL [--password P] [--json]

  Creates a standalone workspace (no Shopify) with its first user and prints how to sign in.`;

function print(json: boolean, value: unknown, text: string) {
  console.log(json ? JSON.stringify(value, null, 2) : text);
}

export async function runStoresCommand(argv: string[], config: { databaseUrl: string }): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { workspace: { type: "string" }, url: { type: "string" }, key: { type: "string" }, secret: { type: "string" }, store: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const json = values.json ?? false;
  if (!values.workspace) {
    console.error(`--workspace is required.\n\n${STORES_USAGE}`);
    return 2;
  }
  const db = createDb(config.databaseUrl);
  try {
    switch (command) {
      case "connect-woocommerce": {
        if (!values.url || !values.key || !values.secret) {
          console.error(`--url, --key and --secret are required.\n\n${STORES_USAGE}`);
          return 2;
        }
        const result = await connectWooCommerceStore(
          { db, clock: systemClock, secretBox: secretBox() },
          { workspaceId: values.workspace, siteUrl: values.url, consumerKey: values.key, consumerSecret: values.secret, appUrl: publicAppUrl() },
        );
        if (!result.ok) {
          print(json, result, `Could not connect${result.field ? ` (${result.field})` : ""}: ${result.error}`);
          return 1;
        }
        print(json, result, `Connected ${result.domain} (store ${result.storeId}); webhooks: ${result.webhooks.map((hook) => hook.topic).join(", ")}. The first sync runs on the worker's next tick.`);
        return 0;
      }
      case "list": {
        const stores = await listStoresWithSync(db, { workspaceId: values.workspace });
        const lines = stores.map((store) => {
          const syncs = store.syncs.map((sync) => `${sync.resource} ${sync.status}${sync.lastRunAt ? ` ${sync.lastRunAt.toISOString()}` : ""}${sync.error ? ` (${sync.error})` : ""}`).join("; ");
          return `${store.id}  ${store.platform.padEnd(11)} ${store.domain}  ${store.status}${syncs ? `  ${syncs}` : ""}`;
        });
        print(json, stores, lines.join("\n") || "No stores.");
        return 0;
      }
      case "sync": {
        if (!values.store) {
          console.error(`--store is required.\n\n${STORES_USAGE}`);
          return 2;
        }
        const runs = await syncStore({ db, clock: systemClock, logger: createLogger({ level: "warn" }), secretBox }, { workspaceId: values.workspace, storeId: values.store });
        print(json, runs, runs.map((run) => `${run.resource}: ${run.ok ? `${run.stored} new records over ${run.pages} pages` : `failed: ${run.error}`}`).join("\n") || "This store has no sync.");
        return runs.every((run) => run.ok) ? 0 : 1;
      }
      default:
        console.error(`Unknown stores command "${command ?? ""}".\n\n${STORES_USAGE}`);
        return 2;
    }
  } finally {
    await db.$disconnect();
  }
}

export async function runWorkspaceCommand(argv: string[], config: { databaseUrl: string }): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { name: { type: "string" }, email: { type: "string" }, password: { type: "string" }, json: { type: "boolean", default: false } } });
  if (command !== "create" || !values.name || !values.email) {
    console.error(WORKSPACE_USAGE);
    return 2;
  }
  const db = createDb(config.databaseUrl);
  try {
    const result = await createStandaloneWorkspace(db, { name: values.name, email: values.email, password: values.password });
    if (!result.ok) {
      print(values.json ?? false, result, `Could not create the workspace: ${result.error}`);
      return 1;
    }
    print(
      values.json ?? false,
      { ...result, signInUrl: `${publicAppUrl()}/login` },
      `Workspace ${values.name} created (${result.workspaceId}).\n  Sign in at ${publicAppUrl()}/login\n    email:    ${result.email}\n    password: ${result.password}`,
    );
    return 0;
  } finally {
    await db.$disconnect();
  }
}
