// `nudgeflow apikeys …`: keys for the HTTP API (/api/v1, docs/api/openapi.yaml). The key is printed once, at
// creation; only its hash is kept. Wiring only: core/api-keys does the work.
import { parseArgs } from "node:util";
import { API_SCOPES, ApiKeyError, DEFAULT_API_SCOPES, createApiKey, listApiKeys, parseScopes, revokeApiKey } from "~/core/api-keys/api-keys.server";
import { systemClock } from "~/core/clock";
import { CommandError, formatDay, formatTable, runCommand, onePositional, printJson, resolveWorkspaceId, UsageError, withDb } from "./cli";

export const APIKEYS_USAGE = `Usage:
  nudgeflow apikeys create --name NAME [--scopes "${API_SCOPES.join(" ")}"] [--workspace ID] [--json]
      A new key for the HTTP API, printed once (keep it: only its hash is stored). Default scopes: the read ones (${DEFAULT_API_SCOPES.join(" ")}); write scopes only when named.
  nudgeflow apikeys list [--workspace ID] [--json]
      The keys: id, the first characters, scopes, when created and last used, revoked or not.
  nudgeflow apikeys revoke API_KEY_ID [--workspace ID]
      Refuses the key from now on (401).
  --workspace defaults to the only workspace when there is exactly one.`;

export async function runApiKeysCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  return runCommand(
    APIKEYS_USAGE,
    async () => {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          workspace: { type: "string" },
          json: { type: "boolean", default: false },
          name: { type: "string" },
          scopes: { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      });
      await withDb(options.databaseUrl, async (db) => {
        const now = systemClock.now();
        switch (subcommand) {
          case "create": {
            if (positionals.length) throw new UsageError(`apikeys create takes no argument (got "${positionals.join(" ")}")`);
            if (!values.name?.trim()) throw new UsageError("--name is required");
            const scopes = values.scopes === undefined ? undefined : parseScopes(values.scopes);
            if (scopes && !scopes.ok) throw new UsageError(`--scopes: ${scopes.error}`);
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            const { key, apiKey } = await createApiKey(db, { workspaceId, name: values.name, scopes: scopes?.scopes, now });
            if (values.json) return printJson({ key, apiKey });
            console.log(`API key "${apiKey.name}" (${apiKey.id}) created with scopes ${apiKey.scopes.join(" ")}:\n\n  ${key}\n`);
            console.log("This is the only time it is shown. Send it as `Authorization: Bearer <key>`.");
            return;
          }
          case "list": {
            if (positionals.length) throw new UsageError(`apikeys list takes no argument (got "${positionals.join(" ")}")`);
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            const keys = await listApiKeys(db, { workspaceId });
            if (values.json) return printJson({ apiKeys: keys });
            if (keys.length === 0) return console.log("No API keys yet: `nudgeflow apikeys create --name NAME`.");
            console.log(
              formatTable(
                ["ID", "PREFIX", "STATUS", "CREATED", "LAST USED", "SCOPES", "NAME"],
                keys.map((key) => [
                  key.id,
                  `${key.prefix}…`,
                  key.revokedAt ? `revoked ${formatDay(key.revokedAt)}` : "active",
                  formatDay(key.createdAt),
                  formatDay(key.lastUsedAt),
                  key.scopes.join(" "),
                  key.name,
                ]),
              ),
            );
            return;
          }
          case "revoke": {
            const apiKeyId = onePositional(positionals, "API_KEY_ID");
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            if (!(await revokeApiKey(db, { workspaceId, apiKeyId, now }))) throw new CommandError(`There is no API key ${apiKeyId} in workspace ${workspaceId}.`);
            console.log(`API key ${apiKeyId} revoked.`);
            return;
          }
          default:
            throw new UsageError(subcommand ? `Unknown apikeys command "${subcommand}".` : "Name an apikeys command.");
        }
      });
    },
    [ApiKeyError],
  );
}
