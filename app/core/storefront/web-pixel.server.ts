// Turning the web pixel on for a shop: the extension (extensions/web-pixel) is deployed with the app, but Shopify runs
// it on a shop only once the app creates a web pixel record there with its settings (webPixelCreate; webPixelUpdate
// once it exists). The settings are the store's publishable key and where to send events; Shopify checks them against
// the extension's [settings] fields. Called on install; a failure is logged and returned, never thrown: installing the
// app must not fail because the pixel could not be turned on (the admin shows it and can try again).
import { z } from "zod";
import type { Logger } from "~/core/logger.server";
import type { Db } from "~/db.server";
import { ensureStorefrontKey } from "./keys.server";

/** A shop's Admin GraphQL API: the parsed response body (`{ data, errors }`) of one request. */
export type AdminGraphql = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

export interface WebPixelDeps {
  db: Db;
  graphql: AdminGraphql;
  /** The app's public origin: where the pixel posts its events (/storefront/v1/pixel). */
  appUrl: string;
  logger: Logger;
}

/** The extension's settings, by the field names in extensions/web-pixel/shopify.extension.toml. */
export interface WebPixelSettings {
  storefrontKey: string;
  appUrl: string;
}

export type WebPixelActivation = { ok: true; id: string; created: boolean } | { ok: false; error: string };

const CREATE = `#graphql
  mutation NudgeflowWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) { userErrors { code field message } webPixel { id settings } }
  }`;
const UPDATE = `#graphql
  mutation NudgeflowWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) { userErrors { code field message } webPixel { id settings } }
  }`;
/** The app's own pixel on the shop (one per app), to recover its id when ours was lost. */
const READ = `#graphql
  query NudgeflowWebPixel { webPixel { id } }`;

const UserErrors = z.array(z.object({ code: z.string().nullish(), field: z.array(z.string()).nullish(), message: z.string() }));
const Payload = z.object({ userErrors: UserErrors, webPixel: z.object({ id: z.string() }).nullish() });
const GraphqlErrors = z.array(z.object({ message: z.string() })).nullish();
const CreateResponse = z.object({ data: z.object({ webPixelCreate: Payload }).nullish(), errors: GraphqlErrors });
const UpdateResponse = z.object({ data: z.object({ webPixelUpdate: Payload }).nullish(), errors: GraphqlErrors });
const ReadResponse = z.object({ data: z.object({ webPixel: z.object({ id: z.string() }).nullish() }).nullish(), errors: GraphqlErrors });

type Outcome = { ok: true; id: string } | { ok: false; error: string; taken?: boolean; notFound?: boolean };

function outcomeOf(parsed: z.infer<typeof Payload> | null | undefined, errors: z.infer<typeof GraphqlErrors>): Outcome {
  if (errors?.length) return { ok: false, error: errors.map((error) => error.message).join("; ") };
  if (!parsed) return { ok: false, error: "Shopify answered without data" };
  if (parsed.userErrors.length > 0) {
    return {
      ok: false,
      error: parsed.userErrors.map((error) => `${error.field?.join(".") ?? "webPixel"}: ${error.message}`).join("; "),
      taken: parsed.userErrors.some((error) => error.code === "TAKEN"),
      notFound: parsed.userErrors.some((error) => error.code === "NOT_FOUND"),
    };
  }
  return parsed.webPixel ? { ok: true, id: parsed.webPixel.id } : { ok: false, error: "Shopify returned no web pixel" };
}

async function create(graphql: AdminGraphql, settings: string): Promise<Outcome> {
  const response = CreateResponse.safeParse(await graphql(CREATE, { webPixel: { settings } }));
  if (!response.success) return { ok: false, error: "Shopify's answer to webPixelCreate was not understood" };
  return outcomeOf(response.data.data?.webPixelCreate, response.data.errors);
}

async function update(graphql: AdminGraphql, id: string, settings: string): Promise<Outcome> {
  const response = UpdateResponse.safeParse(await graphql(UPDATE, { id, webPixel: { settings } }));
  if (!response.success) return { ok: false, error: "Shopify's answer to webPixelUpdate was not understood" };
  return outcomeOf(response.data.data?.webPixelUpdate, response.data.errors);
}

async function existingPixelId(graphql: AdminGraphql): Promise<string | null> {
  const response = ReadResponse.safeParse(await graphql(READ, {}));
  return response.success ? (response.data.data?.webPixel?.id ?? null) : null;
}

/**
 * Ensures the store's key and turns its web pixel on with {storefrontKey, appUrl}: an update when Store.webPixelId is
 * set (a reinstall, a new app URL, a rotated key), else a create; a create refused because the app's pixel already
 * exists (our id was lost) finds that pixel and updates it; an update of a pixel Shopify no longer has creates anew.
 * The id is stored on the store.
 */
export async function activateWebPixel(deps: WebPixelDeps, storeId: string): Promise<WebPixelActivation> {
  const { db, graphql, logger } = deps;
  const store = await db.store.findUnique({ where: { id: storeId }, select: { id: true, workspaceId: true, platform: true, webPixelId: true } });
  if (!store) return { ok: false, error: `there is no store ${storeId}` };
  if (store.platform !== "shopify") return { ok: false, error: "web pixels exist on Shopify stores only" };
  const context = { workspaceId: store.workspaceId, storeId };
  try {
    const settings: WebPixelSettings = { storefrontKey: await ensureStorefrontKey(db, storeId), appUrl: deps.appUrl.replace(/\/+$/, "") };
    // Shopify's documented input is the settings as a JSON string.
    const json = JSON.stringify(settings);
    let created = false;
    let outcome: Outcome = store.webPixelId ? await update(graphql, store.webPixelId, json) : { ok: false, error: "", notFound: true };
    if (!outcome.ok && outcome.notFound) {
      outcome = await create(graphql, json);
      created = outcome.ok;
    }
    if (!outcome.ok && outcome.taken) {
      const id = await existingPixelId(graphql);
      if (id) outcome = await update(graphql, id, json);
    }
    if (!outcome.ok) {
      logger.warn({ ...context, error: outcome.error }, "could not turn the web pixel on");
      return { ok: false, error: outcome.error };
    }
    await db.store.update({ where: { id: storeId }, data: { webPixelId: outcome.id } });
    logger.info({ ...context, webPixelId: outcome.id, created }, "web pixel on");
    return { ok: true, id: outcome.id, created };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ ...context, err: error }, "could not turn the web pixel on");
    return { ok: false, error: message };
  }
}
