// A workspace's email delivery settings (docs/decisions/0027): the from address and name, and optionally its own
// SendGrid account — an API key (write-only: sealed with the secret box in Workspace.sendgridApiKey, shown back as
// "•••• last 4") and its region (global or EU data residency). A key is checked with SendGrid when saved: it must be
// accepted, may send mail, and the from address must be a verified single sender or on an authenticated domain of
// that account; when any check fails nothing is saved. Then the account's Event Webhook is pointed at
// /webhooks/sendgrid/<workspaceId>, signed, and its verification key kept in Workspace.settings under
// EVENT_WEBHOOK_SETTINGS_KEY; if that fails the save still stands and the page says how to do it by hand.
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { assertUnreachable } from "~/core/assert";
import type { Clock } from "~/core/clock";
import type { SecretBox } from "~/core/crypto.server";
import type { Db, DbTx } from "~/db.server";
import { createSendGridAccount, type AccountFailure, type SendGridAccount } from "./sendgrid-account.server";
import { SendGridRegion, type EmailSettingsForm, type EmailSettingsProblem } from "./email-settings";
import { parseSendGridPublicKey } from "./sendgrid-webhook.server";

/** The API base URL of each SendGrid region (the wiring reads SENDGRID_API_BASE_URL and SENDGRID_EU_API_BASE_URL). */
export interface SendGridBaseUrls {
  global: string;
  eu: string;
}

export function sendGridBaseUrl(urls: SendGridBaseUrls, region: SendGridRegion): string {
  switch (region) {
    case "global":
      return urls.global;
    case "eu":
      return urls.eu;
    default:
      return assertUnreachable(region);
  }
}

/** The stored region; anything else (never written by us) reads as global. */
export function regionOf(stored: string): SendGridRegion {
  const parsed = SendGridRegion.safeParse(stored);
  return parsed.success ? parsed.data : "global";
}

/**
 * Workspace.settings key of the workspace's own Event Webhook: `{ id, url, publicKey, configuredAt }`, where publicKey
 * is SendGrid's verification key (base64 DER; public, not secret) for posts to /webhooks/sendgrid/<workspaceId>.
 */
export const EVENT_WEBHOOK_SETTINGS_KEY = "sendgridEventWebhook";
const StoredEventWebhook = z.object({ id: z.string().nullable(), url: z.string(), publicKey: z.string(), configuredAt: z.string() });
type StoredEventWebhook = z.infer<typeof StoredEventWebhook>;

/** Workspace.settings as a JSON object (other modules' keys are kept as they are). */
const SettingsObject = z.record(z.string(), z.json());
function settingsObject(value: unknown): z.infer<typeof SettingsObject> {
  const parsed = SettingsObject.safeParse(value);
  return parsed.success ? parsed.data : {};
}

function storedEventWebhook(settings: unknown): StoredEventWebhook | null {
  const parsed = StoredEventWebhook.safeParse(settingsObject(settings)[EVENT_WEBHOOK_SETTINGS_KEY]);
  return parsed.success ? parsed.data : null;
}

/** Where a workspace's own SendGrid account posts its events. */
export function workspaceEventWebhookUrl(appUrl: string, workspaceId: string): string {
  return `${appUrl.replace(/\/+$/, "")}/webhooks/sendgrid/${encodeURIComponent(workspaceId)}`;
}

/** The key that verifies posts to /webhooks/sendgrid/<workspaceId>; null when the workspace's account has none. */
export async function eventWebhookKeyOf(db: Db | DbTx, input: { workspaceId: string }): Promise<KeyObject | null> {
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true, sendgridApiKey: true } });
  if (!workspace?.sendgridApiKey) return null;
  const stored = storedEventWebhook(workspace.settings);
  return stored ? parseSendGridPublicKey(stored.publicKey) : null;
}

// --- reading -------------------------------------------------------------------------------------------------

export interface EmailSettingsDeps {
  db: Db;
  clock: Clock;
  secretBox: SecretBox;
  sendgrid: SendGridBaseUrls;
  /** The app's public URL: the workspace's Event Webhook posts to it. */
  appUrl: string;
  /** SENDGRID_API_KEY is set: a workspace without its own key sends through the app's account, else to the outbox. */
  defaultSenderConfigured: boolean;
  /** The SendGrid account behind a key; default the real API through @sendgrid/client. */
  accountFor?: (config: { apiKey: string; baseUrl: string }) => SendGridAccount;
}

/** What delivers this workspace's email now. */
export type DeliveryInForce = "workspace" | "default" | "outbox";

export interface EmailSettingsView {
  fromEmail: string | null;
  fromName: string | null;
  /** "•••• abcd", or a note that the stored key cannot be opened; null without a key of its own. */
  apiKeyHint: string | null;
  region: SendGridRegion;
  senderVerifiedAt: string | null;
  delivery: DeliveryInForce;
  /** What delivers without a key of its own (after removing it). */
  fallback: Exclude<DeliveryInForce, "workspace">;
  eventWebhook: { url: string; configured: boolean; configuredAt: string | null };
}

function keyHint(secretBox: SecretBox, sealed: string): string {
  try {
    return `•••• ${secretBox.open(sealed).slice(-4)}`;
  } catch {
    return "•••• (cannot be opened with this server's ENCRYPTION_KEY: paste the key again)";
  }
}

type WorkspaceRow = { fromEmail: string | null; fromName: string | null; sendgridApiKey: string | null; sendgridRegion: string; senderVerifiedAt: Date | null; settings: unknown };
const WORKSPACE_FIELDS = { fromEmail: true, fromName: true, sendgridApiKey: true, sendgridRegion: true, senderVerifiedAt: true, settings: true } as const;

function viewOf(deps: Pick<EmailSettingsDeps, "secretBox" | "appUrl" | "defaultSenderConfigured">, workspaceId: string, row: WorkspaceRow): EmailSettingsView {
  const webhook = row.sendgridApiKey ? storedEventWebhook(row.settings) : null;
  const url = workspaceEventWebhookUrl(deps.appUrl, workspaceId);
  return {
    fromEmail: row.fromEmail,
    fromName: row.fromName,
    apiKeyHint: row.sendgridApiKey ? keyHint(deps.secretBox, row.sendgridApiKey) : null,
    region: regionOf(row.sendgridRegion),
    senderVerifiedAt: row.sendgridApiKey ? (row.senderVerifiedAt?.toISOString() ?? null) : null,
    delivery: row.sendgridApiKey ? "workspace" : deps.defaultSenderConfigured ? "default" : "outbox",
    fallback: deps.defaultSenderConfigured ? "default" : "outbox",
    eventWebhook: { url, configured: webhook?.url === url, configuredAt: webhook?.url === url ? webhook.configuredAt : null },
  };
}

export async function readEmailSettings(
  deps: Pick<EmailSettingsDeps, "db" | "secretBox" | "appUrl" | "defaultSenderConfigured">,
  input: { workspaceId: string },
): Promise<EmailSettingsView | null> {
  const row = await deps.db.workspace.findUnique({ where: { id: input.workspaceId }, select: WORKSPACE_FIELDS });
  return row ? viewOf(deps, input.workspaceId, row) : null;
}

// --- saving --------------------------------------------------------------------------------------------------

export type EventWebhookOutcome =
  /** No key of its own: events come through the app's webhook (or there are none). */
  | { status: "not-needed" }
  /** Already pointed at us for this account; left as it was. */
  | { status: "unchanged" }
  | { status: "configured"; url: string }
  /** The save stands; the merchant sets it up by hand: `url`, with signing on. */
  | { status: "failed"; url: string; reason: string };

export type SaveEmailSettingsResult =
  | { ok: true; settings: EmailSettingsView; eventWebhook: EventWebhookOutcome }
  | { ok: false; problems: EmailSettingsProblem[] };

const SENDER_AUTH_HELP =
  "In SendGrid, open Settings → Sender Authentication and either verify it as a Single Sender (SendGrid emails that address a link to click) or authenticate its domain (Domain Authentication: add the DNS records SendGrid shows, then Verify).";

function refusedKey(failure: AccountFailure, region: SendGridRegion): EmailSettingsProblem {
  switch (failure.kind) {
    case "unauthorized":
      return {
        field: "apiKey",
        message: `SendGrid refused this API key (401: ${failure.detail}). Check that it was copied whole and has not been deleted${region === "global" ? "; a key of an EU data-residency account works only with the EU region" : "; this key must belong to an EU data-residency account"}.`,
      };
    case "forbidden":
      return { field: "apiKey", message: `SendGrid refused this API key (403: ${failure.detail}). Check the key's permissions in SendGrid → Settings → API Keys.` };
    case "network":
      return { field: "form", message: "Could not reach SendGrid, try again. Nothing was saved." };
    case "unexpected":
      return { field: "form", message: `SendGrid answered ${failure.status} (${failure.detail}). Nothing was saved; try again in a moment.` };
    default:
      return assertUnreachable(failure);
  }
}

/** The from address may send through this account: a verified single sender, or on a valid authenticated domain. */
async function checkSender(account: SendGridAccount, fromEmail: string, region: SendGridRegion): Promise<EmailSettingsProblem | null> {
  const cannotRead = (failure: AccountFailure) =>
    failure.kind === "forbidden"
      ? {
          field: "apiKey" as const,
          message: `This key may send mail but may not read the account's sender identities, so we cannot check that ${fromEmail} may send: in SendGrid → Settings → API Keys, edit the key and give it Read Access to "Sender Authentication" (or use a Full Access key).`,
        }
      : refusedKey(failure, region);
  const senders = await account.verifiedSenders();
  if (!senders.ok) return cannotRead(senders.failure);
  const single = senders.value.find((sender) => sender.email.toLowerCase() === fromEmail);
  if (single?.verified) return null;
  const domain = fromEmail.slice(fromEmail.lastIndexOf("@") + 1);
  const domains = await account.authenticatedDomains();
  if (!domains.ok) return cannotRead(domains.failure);
  const authenticated = domains.value.filter((candidate) => candidate.domain.toLowerCase() === domain);
  if (authenticated.some((candidate) => candidate.valid)) return null;
  if (single) {
    return { field: "fromEmail", message: `${fromEmail} is a sender in this SendGrid account but is not verified yet: open the email SendGrid sent to that address and click its link (Settings → Sender Authentication → Single Sender Verification can resend it).` };
  }
  if (authenticated.length > 0) {
    return { field: "fromEmail", message: `The domain ${domain} is set up in SendGrid's Domain Authentication but its DNS records are not verified yet: add the records SendGrid shows at your DNS host, then press Verify in Settings → Sender Authentication.` };
  }
  return { field: "fromEmail", message: `${fromEmail} is not a verified sender of this SendGrid account, and ${domain} is not an authenticated domain there. ${SENDER_AUTH_HELP}` };
}

function describeFailure(failure: AccountFailure): string {
  switch (failure.kind) {
    case "unauthorized":
    case "forbidden":
      return `SendGrid refused (${failure.status}: ${failure.detail}); the key needs the Event Webhook permissions ("Mail Settings" → Event Webhook, full access)`;
    case "network":
      return "SendGrid could not be reached";
    case "unexpected":
      return `SendGrid answered ${failure.status} (${failure.detail})`;
    default:
      return assertUnreachable(failure);
  }
}

/**
 * Checks and saves the workspace's sender settings. With a key (a new one, or the stored one when the field is
 * left empty) SendGrid must accept it and the from address; any failure saves nothing. Without one, the from
 * address and name are saved as they are (the app's account or the outbox delivers).
 */
export async function saveEmailSettings(deps: EmailSettingsDeps, input: { workspaceId: string; form: EmailSettingsForm }): Promise<SaveEmailSettingsResult> {
  const { db, clock, secretBox } = deps;
  const { workspaceId, form } = input;
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: WORKSPACE_FIELDS });
  if (!row) return { ok: false, problems: [{ field: "form", message: "This workspace no longer exists." }] };

  let apiKey = form.apiKey === "" ? null : form.apiKey;
  if (!apiKey && row.sendgridApiKey) {
    try {
      apiKey = secretBox.open(row.sendgridApiKey);
    } catch {
      return { ok: false, problems: [{ field: "apiKey", message: "The stored key cannot be opened with this server's ENCRYPTION_KEY: paste the key again, or remove it." }] };
    }
  }

  if (!apiKey) {
    await db.workspace.update({ where: { id: workspaceId }, data: { fromEmail: form.fromEmail, fromName: form.fromName, sendgridRegion: form.region } });
    return { ok: true, settings: viewOf(deps, workspaceId, { ...row, fromEmail: form.fromEmail, fromName: form.fromName, sendgridRegion: form.region }), eventWebhook: { status: "not-needed" } };
  }

  if (!form.fromEmail) {
    return { ok: false, problems: [{ field: "fromEmail", message: "With your own SendGrid account, set the address emails come from: it must be a verified sender of that account." }] };
  }
  const baseUrl = sendGridBaseUrl(deps.sendgrid, form.region);
  const account = (deps.accountFor ?? createSendGridAccount)({ apiKey, baseUrl });

  const scopes = await account.scopes();
  if (!scopes.ok) return { ok: false, problems: [refusedKey(scopes.failure, form.region)] };
  if (!scopes.value.includes("mail.send")) {
    return {
      ok: false,
      problems: [{ field: "apiKey", message: 'This key may not send mail (it lacks the "mail.send" permission): in SendGrid → Settings → API Keys, give it Mail Send access, or create a key with it.' }],
    };
  }
  const sender = await checkSender(account, form.fromEmail, form.region);
  if (sender) return { ok: false, problems: [sender] };

  // Checked: the Event Webhook, set up again only when the account (key or region) or our URL changed.
  const sameAccount = form.apiKey === "" && regionOf(row.sendgridRegion) === form.region;
  const url = workspaceEventWebhookUrl(deps.appUrl, workspaceId);
  const previous = storedEventWebhook(row.settings);
  let eventWebhook: EventWebhookOutcome;
  let nextWebhook: StoredEventWebhook | null = sameAccount ? previous : null;
  if (sameAccount && previous?.url === url) {
    eventWebhook = { status: "unchanged" };
  } else {
    const signed = await account.setUpSignedEventWebhook(url);
    if (signed.ok && parseSendGridPublicKey(signed.value.publicKey)) {
      nextWebhook = { id: signed.value.id, url, publicKey: signed.value.publicKey, configuredAt: clock.now().toISOString() };
      eventWebhook = { status: "configured", url };
    } else {
      eventWebhook = { status: "failed", url, reason: signed.ok ? "SendGrid gave a verification key that is not an ECDSA P-256 public key" : describeFailure(signed.failure) };
    }
  }

  const settings = settingsObject(row.settings);
  delete settings[EVENT_WEBHOOK_SETTINGS_KEY];
  if (nextWebhook) settings[EVENT_WEBHOOK_SETTINGS_KEY] = nextWebhook;
  const sealed = form.apiKey === "" && row.sendgridApiKey ? row.sendgridApiKey : secretBox.seal(apiKey);
  const saved = { fromEmail: form.fromEmail, fromName: form.fromName, sendgridApiKey: sealed, sendgridRegion: form.region, senderVerifiedAt: clock.now(), settings };
  await db.workspace.update({ where: { id: workspaceId }, data: { ...saved, settings } });
  return { ok: true, settings: viewOf(deps, workspaceId, saved), eventWebhook };
}

/** Forgets the workspace's own key (and its webhook's verification key): the app's default sender, or the outbox, takes over. */
export async function removeSendGridKey(
  deps: Pick<EmailSettingsDeps, "db" | "secretBox" | "appUrl" | "defaultSenderConfigured">,
  input: { workspaceId: string },
): Promise<EmailSettingsView | null> {
  const row = await deps.db.workspace.findUnique({ where: { id: input.workspaceId }, select: WORKSPACE_FIELDS });
  if (!row) return null;
  const settings = settingsObject(row.settings);
  delete settings[EVENT_WEBHOOK_SETTINGS_KEY];
  const cleared = { sendgridApiKey: null, sendgridRegion: "global", senderVerifiedAt: null, settings };
  await deps.db.workspace.update({ where: { id: input.workspaceId }, data: { ...cleared, settings } });
  return viewOf(deps, input.workspaceId, { ...row, ...cleared });
}

/**
 * The verification key of an Event Webhook the merchant set up by hand (when we could not): SendGrid shows it under
 * Settings → Mail Settings → Event Webhook once "Signed Event Webhook" is on. Only with a key of the workspace's own.
 */
export async function saveEventWebhookKey(
  deps: Pick<EmailSettingsDeps, "db" | "clock" | "appUrl">,
  input: { workspaceId: string; publicKey: string },
): Promise<{ ok: true } | { ok: false; problems: EmailSettingsProblem[] }> {
  const row = await deps.db.workspace.findUnique({ where: { id: input.workspaceId }, select: { sendgridApiKey: true, settings: true } });
  if (!row?.sendgridApiKey) return { ok: false, problems: [{ field: "form", message: "Save your own SendGrid key first: without it, events come through the app's webhook." }] };
  const publicKey = input.publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, "");
  if (!parseSendGridPublicKey(publicKey)) {
    return { ok: false, problems: [{ field: "form", message: "That is not the verification key SendGrid shows for a signed Event Webhook (a base64 ECDSA P-256 public key, starting MFkw…)." }] };
  }
  const webhook: StoredEventWebhook = { id: null, url: workspaceEventWebhookUrl(deps.appUrl, input.workspaceId), publicKey, configuredAt: deps.clock.now().toISOString() };
  const settings = settingsObject(row.settings);
  settings[EVENT_WEBHOOK_SETTINGS_KEY] = webhook;
  await deps.db.workspace.update({ where: { id: input.workspaceId }, data: { settings } });
  return { ok: true };
}
