// The environment, parsed once at boot. Core never reads process.env: routes, the worker and bin/ pass values in.
import { z } from "zod";
import { parseSendGridPublicKey } from "~/core/messaging/sendgrid-webhook.server";

const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().default("file:./prisma/dev.sqlite"),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().positive().default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHOPIFY_API_KEY: z.string().optional(),
  SHOPIFY_API_SECRET: z.string().optional(),
  SHOPIFY_APP_URL: z.url().optional(),
  SCOPES: z.string().default("read_customers,write_customers,read_orders,read_fulfillments,write_discounts,read_products,write_app_proxy,write_pixels,read_customer_events,read_themes"),
  /** The Shopify emulator's origin (tests, local runs); never set in production. */
  SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
  SENDGRID_API_KEY: z.string().optional(),
  /** https://api.sendgrid.com, or https://api.eu.sendgrid.com for EU data residency, or an emulator. */
  SENDGRID_API_BASE_URL: z.url().default("https://api.sendgrid.com"),
  /** The API of SendGrid's EU region, for workspaces whose own SendGrid account keeps data in the EU; or an emulator. */
  SENDGRID_EU_API_BASE_URL: z.url().default("https://api.eu.sendgrid.com"),
  /** SendGrid's Event Webhook verification key (Mail Settings → Event Webhook → Signature verification), base64 DER. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: z
    .string()
    .refine((value) => parseSendGridPublicKey(value) !== null, "must be the base64 (DER) ECDSA P-256 public key SendGrid shows for the Event Webhook")
    .optional(),
  /** The app's public URL, for links in emails (unsubscribe); SHOPIFY_APP_URL, else http://localhost:PORT. */
  APP_URL: z.url().optional(),
  /** Signs unsubscribe links (16+ characters); unset → a random key stored in the database on first use. */
  UNSUBSCRIBE_SECRET: z.string().min(16).optional(),
  /** Fallback sender when a workspace has none: `Name <address>` or a bare address. */
  MAIL_FROM: z.string().default("Nudgeflow <hello@nudgeflow.dev>"),
  NUDGEFLOW_WORKER: z.enum(["embedded", "off"]).default("embedded"),
  WORKER_POLL_MS: z.coerce.number().int().positive().default(1000),
  /**
   * Scale-out (docs/decisions/0024): with a Redis URL, due work runs as BullMQ jobs on every worker process
   * (`npm run worker`, and `serve` unless NUDGEFLOW_WORKER=off); without, the polling loop runs it in-process.
   */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  /** BullMQ key prefix: installations (or tests) sharing one Redis keep apart by prefix. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default("nudgeflow"),
  /** BullMQ jobs run at once per worker process (steps and sends; the inbox is processed one row at a time). */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** How often each worker sweeps the database for due work that has no job (a lost job is found again). */
  WORKER_SWEEP_MS: z.coerce.number().int().positive().default(5000),
  /** How long a job's lock lasts: a crashed worker's job is taken over after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  SESSION_SECRET: z.string().min(16).optional(),
  DEMO_PASSWORD: z.string().min(8).optional(),
  /** 32 bytes (64 hex characters or base64) that seal store credentials at rest; see app/secrets.server.ts. */
  ENCRYPTION_KEY: z.string().optional(),
  /**
   * Which proxies in front of the app to believe about the client's address (X-Forwarded-For), for per-client rate
   * limits: express's `trust proxy` setting — "loopback" (default), a hop count such as "1", or addresses/subnets.
   */
  TRUST_PROXY: z
    .string()
    .default("loopback")
    .transform((value): string | number | boolean => (/^\d+$/.test(value) ? Number(value) : value === "true" ? true : value === "false" ? false : value)),
  /** When set, /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
});
export type Env = z.infer<typeof Env>;

let parsed: Env | undefined;

/**
 * `shopify app dev` passes the tunnel URL as HOST (and APP_URL) rather than SHOPIFY_APP_URL: take it as the
 * app URL and listen on the default host, as Shopify's Remix template does.
 */
function fromShopifyCli(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunnel = /^https?:\/\//.test(source.HOST ?? "") ? source.HOST : undefined;
  if (!tunnel) return source;
  return { ...source, HOST: undefined, SHOPIFY_APP_URL: source.SHOPIFY_APP_URL || source.APP_URL || tunnel };
}

export function env(): Env {
  if (!parsed) {
    const result = Env.safeParse(fromShopifyCli(process.env));
    if (!result.success) {
      const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
      throw new Error(`Invalid environment:\n${problems}`);
    }
    parsed = result.data;
  }
  return parsed;
}

/** Shopify credentials are all set: the app runs as a Shopify app too (else standalone and demo only). */
export function shopifyCredentials() {
  const { SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL, SCOPES, SHOPIFY_ADMIN_API_ORIGIN } = env();
  if (!SHOPIFY_API_KEY || !SHOPIFY_API_SECRET || !SHOPIFY_APP_URL) return null;
  return {
    apiKey: SHOPIFY_API_KEY,
    apiSecret: SHOPIFY_API_SECRET,
    appUrl: SHOPIFY_APP_URL,
    scopes: SCOPES.split(",").map((scope) => scope.trim()).filter(Boolean),
    adminApiOrigin: SHOPIFY_ADMIN_API_ORIGIN,
  };
}

/** The public origin of the app, for links that leave it (unsubscribe links in emails). */
export function publicAppUrl(): string {
  const { APP_URL, SHOPIFY_APP_URL, PORT } = env();
  return (APP_URL ?? SHOPIFY_APP_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, "");
}
