// The flow definition's JSON Schema, generated from the zod schema (the one source of truth) and committed as
// docs/flow-definition.schema.json; a unit test fails when the committed copy is out of date.
import { z } from "zod";
import { FlowDefinition } from "./definition";

export const FLOW_SCHEMA_PATH = "docs/flow-definition.schema.json";

/** The schema of the document people write: fields with defaults are optional (zod's input side). */
export function flowDefinitionJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(FlowDefinition, { io: "input", target: "draft-2020-12" });
  return {
    $schema,
    $id: "https://nudgeflow.dev/schemas/flow-definition.schema.json",
    title: "Nudgeflow flow definition",
    description: "A flow: trigger, goal, rules and a graph of nodes. Documented in docs/flows.md.",
    ...schema,
  };
}

/** The file's exact content: two-space JSON and a final newline. */
export function flowDefinitionJsonSchemaText(): string {
  return `${JSON.stringify(flowDefinitionJsonSchema(), null, 2)}\n`;
}
