// `nudgeflow flows …`: flows as code. Wiring only: arguments in, a core function, output and exit code out.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "~/core/clock";
import { validateDefinitionJson, type DefinitionProblem } from "~/core/flows/definition";
import { flowDefinitionJsonSchemaText } from "~/core/flows/json-schema";
import { exportFlow, FlowError, FlowValidationError, importFlow, listFlows } from "~/core/flows/manage.server";
import { createDb, type Db } from "~/db.server";
import { isUsageError, UsageError } from "./cli";

export const FLOWS_USAGE = `Usage: nudgeflow flows <subcommand>

  list      --workspace ID                      The workspace's flows: id, status, live version, enrollments, name.
  export    --workspace ID --flow ID [--version N]
                                                A flow's definition as JSON on stdout (default: the live version).
  import    --workspace ID --file PATH [--name NAME] [--publish]
                                                Create a flow from a definition file; --publish makes it live.
  validate  --file PATH                         Check a definition file; exits 1 and lists every problem.
  schema    [--out PATH]                        The definition's JSON Schema (stdout, or written to PATH).`;


function printProblems(file: string, problems: DefinitionProblem[]) {
  console.error(`${file} is not a valid flow definition (${problems.length} problem${problems.length === 1 ? "" : "s"}):`);
  for (const problem of problems) console.error(`  ${problem.path}: ${problem.message}`);
}

function readDefinitionFile(file: string) {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** Runs one `flows` subcommand; returns the exit code. `databaseUrl` is used only by commands that need it. */
export async function runFlowsCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  let db: Db | undefined;
  const database = () => (db ??= createDb(options.databaseUrl));
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        workspace: { type: "string" },
        flow: { type: "string" },
        version: { type: "string" },
        file: { type: "string" },
        name: { type: "string" },
        publish: { type: "boolean", default: false },
        out: { type: "string" },
      },
      strict: true,
    });
    switch (subcommand) {
      case "list": {
        const flows = await listFlows(database(), { workspaceId: required(values, "workspace") });
        if (flows.length === 0) console.log("No flows.");
        for (const flow of flows) {
          console.log([flow.id, flow.status.padEnd(6), flow.version === null ? "-" : `v${flow.version}`, `${flow.enrolled} enrolled`, flow.name].join("\t"));
        }
        return 0;
      }
      case "export": {
        const versionText = values.version;
        const version = versionText === undefined ? undefined : Number(versionText);
        if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new UsageError("--version is a positive whole number");
        const definition = await exportFlow(database(), { workspaceId: required(values, "workspace"), flowId: required(values, "flow"), version });
        process.stdout.write(`${JSON.stringify(definition, null, 2)}\n`);
        return 0;
      }
      case "import": {
        const file = required(values, "file");
        const result = validateDefinitionJson(readDefinitionFile(file));
        if (!result.ok) {
          printProblems(file, result.problems);
          return 1;
        }
        const name = values.name ?? path.basename(file).replace(/\.json$/i, "");
        const imported = await importFlow({ db: database(), clock: systemClock }, { workspaceId: required(values, "workspace"), name, definition: result.definition, publish: values.publish });
        console.log(`Imported "${name}" as flow ${imported.flowId} (version ${imported.version}, ${imported.status}).`);
        return 0;
      }
      case "validate": {
        const file = required(values, "file");
        const result = validateDefinitionJson(readDefinitionFile(file));
        if (!result.ok) {
          printProblems(file, result.problems);
          return 1;
        }
        console.log(`${file} is a valid flow definition (${result.definition.nodes.length} nodes).`);
        return 0;
      }
      case "schema": {
        if (values.out) {
          writeFileSync(values.out, flowDefinitionJsonSchemaText());
          console.log(`Wrote ${values.out}.`);
        } else {
          process.stdout.write(flowDefinitionJsonSchemaText());
        }
        return 0;
      }
      default:
        throw new UsageError(subcommand ? `unknown subcommand "flows ${subcommand}"` : "which subcommand?");
    }
  } catch (error) {
    if (error instanceof FlowValidationError) {
      printProblems("the definition", error.problems);
      return 1;
    }
    if (isUsageError(error) || error instanceof FlowError) {
      console.error(`${error.message}\n\n${FLOWS_USAGE}`);
      return error instanceof FlowError ? 1 : 2;
    }
    throw error;
  } finally {
    await db?.$disconnect();
  }
}
