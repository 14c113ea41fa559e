// The Shopify emulator's web pixel operations (webPixelCreate, webPixelUpdate, the webPixel query), kept apart from
// server.ts. Like Shopify: one pixel per app and shop; the app needs write_pixels and read_customer_events; the
// settings are a JSON object (or its JSON string) whose keys are exactly the [settings.fields.*] of the extension's
// shopify.extension.toml, each a string for single_line_text_field; anything else is a userError.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/webPixelCreate
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isRecord } from "../http";

export interface EmulatedWebPixel {
  id: string;
  /** The settings as Shopify stores them: a JSON string. */
  settings: string;
}

const TOML_PATH = fileURLToPath(new URL("../../../extensions/web-pixel/shopify.extension.toml", import.meta.url));
const REQUIRED_SCOPES = ["write_pixels", "read_customer_events"];
let nextPixelNumber = 1000;

/** The extension's settings fields and their types, read from its toml (`[settings.fields.<key>]` + `type = "…"`). */
export function webPixelSettingsFields(tomlText = readFileSync(TOML_PATH, "utf8")): Map<string, string> {
  const fields = new Map<string, string>();
  let current: string | null = null;
  for (const line of tomlText.split("\n")) {
    const table = /^\s*\[settings\.fields\.([A-Za-z0-9_]+)\]\s*$/.exec(line);
    if (table) {
      current = table[1];
      fields.set(current, "");
      continue;
    }
    if (/^\s*\[/.test(line)) current = null;
    const type = current ? /^\s*type\s*=\s*"([^"]+)"/.exec(line) : null;
    if (current && type) fields.set(current, type[1]);
  }
  return fields;
}

type UserError = { code: string; field: string[]; message: string };

function settingsErrors(raw: unknown, fields: Map<string, string>): { settings: string | null; errors: UserError[] } {
  const invalid = (message: string, code = "INVALID_SETTINGS"): { settings: null; errors: UserError[] } => ({ settings: null, errors: [{ code, field: ["webPixel", "settings"], message }] });
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return invalid("The provided settings is not a valid JSON", "INVALID_CONFIGURATION_JSON");
    }
  }
  if (!isRecord(value)) return invalid("Settings must be a JSON object");
  const unknown = Object.keys(value).filter((key) => !fields.has(key));
  if (unknown.length) return invalid(`Settings has unknown fields: ${unknown.join(", ")}`);
  for (const [key, type] of fields) {
    const field = value[key];
    if (field === undefined || field === null || field === "") return invalid(`Settings field ${key} is missing`);
    if (type === "single_line_text_field" && (typeof field !== "string" || /[\r\n]/.test(field))) return invalid(`Settings field ${key} must be a single line of text`);
  }
  return { settings: JSON.stringify(value), errors: [] };
}

/**
 * Answers one of the three operations, or null when `operationName` is not one of them. `shop` holds the shop's
 * pixel (the app's one pixel there); `grantedScopes` are the access token's.
 */
export function webPixelOperation(input: {
  operationName: string | null;
  variables: Record<string, unknown>;
  shop: { webPixel: EmulatedWebPixel | null };
  grantedScopes: string;
  fields?: Map<string, string>;
}): Record<string, unknown> | null {
  const { operationName, variables, shop } = input;
  const mutation = operationName === "NudgeflowWebPixelCreate" ? "webPixelCreate" : operationName === "NudgeflowWebPixelUpdate" ? "webPixelUpdate" : operationName === "NudgeflowWebPixel" ? "webPixel" : null;
  if (!mutation) return null;
  const granted = input.grantedScopes.split(",").map((scope) => scope.trim());
  const missing = REQUIRED_SCOPES.filter((scope) => !granted.includes(scope));
  if (missing.length) {
    return { errors: [{ message: `Access denied for ${mutation} field. Required access: \`${missing.join("` and `")}\` access scope.`, extensions: { code: "ACCESS_DENIED" }, path: [mutation] }] };
  }
  const existing = shop.webPixel;
  if (mutation === "webPixel") {
    if (!existing) return { data: null, errors: [{ message: "No web pixel was found for this app.", path: ["webPixel"], extensions: { code: "NOT_FOUND" } }] };
    return { data: { webPixel: existing } };
  }
  const payload = (webPixel: EmulatedWebPixel | null, userErrors: UserError[]) => ({ data: { [mutation]: { webPixel, userErrors } } });
  const webPixelInput = isRecord(variables.webPixel) ? variables.webPixel : null;
  if (!webPixelInput) return { errors: [{ message: "Variable $webPixel of type WebPixelInput! was provided invalid value" }] };
  const checked = settingsErrors(webPixelInput.settings, input.fields ?? webPixelSettingsFields());
  if (!checked.settings) return payload(null, checked.errors);
  if (mutation === "webPixelCreate") {
    if (existing) return payload(null, [{ code: "TAKEN", field: ["webPixel"], message: "Web pixel is taken." }]);
    const created = { id: `gid://shopify/WebPixel/${(nextPixelNumber += 1)}`, settings: checked.settings };
    shop.webPixel = created;
    return payload(created, []);
  }
  if (!existing || existing.id !== variables.id) return payload(null, [{ code: "NOT_FOUND", field: ["id"], message: "Web pixel not found" }]);
  existing.settings = checked.settings;
  return payload(existing, []);
}
