// docs/api/openapi.yaml for tests: its paths, and a small checker of a JSON value against one of its response
// schemas. The checker knows the JSON Schema subset the document uses ($ref, allOf, type with "null", required,
// properties, items, enum, date-time) and also refuses properties the schema does not declare, so the document
// has to describe the responses exactly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const OPENAPI_PATH = fileURLToPath(new URL("../../docs/api/openapi.yaml", import.meta.url));

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
};

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
}

export function loadOpenApi(): OpenApiDocument {
  return parse(readFileSync(OPENAPI_PATH, "utf8"));
}

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const match = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref);
  const target = match ? document.components.schemas[match[1]] : undefined;
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolve(document, target);
}

/** allOf merged into one object schema (the document only uses it to extend objects). */
function flatten(document: OpenApiDocument, schema: Schema): Schema {
  const resolved = resolve(document, schema);
  if (!resolved.allOf) return resolved;
  const parts = resolved.allOf.map((part) => flatten(document, part));
  return {
    type: "object",
    required: parts.flatMap((part) => part.required ?? []),
    properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
  };
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Problems of `value` against `schema` ("" when none), each with its JSON path. */
export function checkSchema(document: OpenApiDocument, schema: Schema, value: unknown, path = "$"): string[] {
  const resolved = flatten(document, schema);
  const problems: string[] = [];
  const actual = typeOf(value);
  if (resolved.type !== undefined) {
    const allowed = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
    const ok = allowed.includes(actual) || (actual === "integer" && allowed.includes("number"));
    if (!ok) return [`${path}: expected ${allowed.join(" | ")}, got ${actual}`];
  }
  if (value === null) return problems;
  if (resolved.enum && !resolved.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(resolved.enum)}`);
  if (resolved.format === "date-time" && typeof value === "string" && (Number.isNaN(Date.parse(value)) || !value.includes("T"))) {
    problems.push(`${path}: "${value}" is not a date-time`);
  }
  if (actual === "array" && resolved.items && Array.isArray(value)) {
    value.forEach((item, index) => problems.push(...checkSchema(document, resolved.items as Schema, item, `${path}[${index}]`)));
  }
  if (actual === "object" && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const name of resolved.required ?? []) if (!(name in record)) problems.push(`${path}: missing "${name}"`);
    if (resolved.properties) {
      for (const [name, child] of Object.entries(record)) {
        const declared = resolved.properties[name];
        if (!declared) problems.push(`${path}: "${name}" is not in the document`);
        else problems.push(...checkSchema(document, declared, child, `${path}.${name}`));
      }
    }
  }
  return problems;
}

/** The schema of the JSON response of `method path` with `status` (path as in the document, e.g. /api/v1/segments/{segmentId}). */
export function responseSchema(document: OpenApiDocument, method: string, path: string, status: number): Schema {
  const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} has no ${status} response in the document`);
  const named = response.$ref ? document.components.responses[response.$ref.replace("#/components/responses/", "")] : response;
  const schema = named?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${method} ${path} ${status} has no JSON schema`);
  return schema;
}
