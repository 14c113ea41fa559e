import { readFileSync } from "node:fs";
import path from "node:path";
import { FLOW_SCHEMA_PATH, flowDefinitionJsonSchemaText } from "./json-schema";

describe("docs/flow-definition.schema.json", () => {
  it("is the JSON Schema generated from FlowDefinition", () => {
    // GIVEN the committed file WHEN the schema is generated from the zod source THEN they are the same text
    const committed = readFileSync(path.resolve(import.meta.dirname, "../../..", FLOW_SCHEMA_PATH), "utf8");
    expect(committed, `out of date: run \`npm run nudgeflow -- flows schema --out ${FLOW_SCHEMA_PATH}\``).toBe(flowDefinitionJsonSchemaText());
  });
});
