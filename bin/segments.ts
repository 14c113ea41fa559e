// `nudgeflow segments …`: the workspace's segments, a segment's members, and a segment as CSV. Wiring only: the
// data comes from core/segments. `--json` prints what GET /api/v1/segments… answers.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { systemClock } from "~/core/clock";
import { getSegment, listSegments, segmentCsv, segmentMembers } from "~/core/segments/segments.server";
import type { Db } from "~/db.server";
import { CommandError, formatAmount, formatDay, formatTable, runCommand, onePositional, printJson, resolveWorkspaceId, UsageError, withDb } from "./cli";

export const SEGMENTS_USAGE = `Usage:
  nudgeflow segments list [--workspace ID] [--archived] [--json]
      The segments with their member counts (--archived: archived ones too).
  nudgeflow segments members SEGMENT_ID [--workspace ID] [--limit N] [--json]
      Members now, by customer id (default 50, --limit up to 100000).
  nudgeflow segments export SEGMENT_ID [--workspace ID] [--out FILE]
      Every member as CSV (a header line, then one line per member) to FILE or standard output.
  --workspace defaults to the only workspace when there is exactly one.`;

const MAX_MEMBERS = 100_000;
const PAGE = 500;

async function segmentOrFail(db: Db, workspaceId: string, segmentId: string) {
  const segment = await getSegment(db, { workspaceId, segmentId });
  if (!segment) throw new CommandError(`There is no segment ${segmentId} in workspace ${workspaceId}.`);
  return segment;
}

export async function runSegmentsCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  return runCommand(
    SEGMENTS_USAGE,
    async () => {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          workspace: { type: "string" },
          json: { type: "boolean", default: false },
          archived: { type: "boolean", default: false },
          limit: { type: "string" },
          out: { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      });
      await withDb(options.databaseUrl, async (db) => {
        switch (subcommand) {
          case "list": {
            if (positionals.length) throw new UsageError(`segments list takes no argument (got "${positionals.join(" ")}")`);
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            const segments = await listSegments(db, { workspaceId, includeArchived: values.archived, now: systemClock.now() });
            if (values.json) return printJson({ segments });
            if (segments.length === 0) return console.log("No segments yet.");
            console.log(
              formatTable(
                ["ID", "MEMBERS", "STATUS", "BUILT IN", "COMPUTED", "NAME"],
                segments.map((segment) => [segment.id, String(segment.memberCount), segment.status, segment.builtin ?? "—", formatDay(segment.computedAt), segment.name]),
              ),
            );
            return;
          }
          case "members": {
            const segmentId = onePositional(positionals, "SEGMENT_ID");
            const limit = values.limit === undefined ? 50 : Number(values.limit);
            if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MEMBERS) throw new UsageError(`--limit is a whole number from 1 to ${MAX_MEMBERS}`);
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            await segmentOrFail(db, workspaceId, segmentId);
            const members = [];
            let cursor: string | null = null;
            do {
              const page = await segmentMembers(db, { workspaceId, segmentId, cursor, take: Math.min(PAGE, limit - members.length) });
              members.push(...page.members);
              cursor = page.nextCursor;
            } while (cursor && members.length < limit);
            const nextCursor = members.length >= limit ? cursor : null;
            if (values.json) return printJson({ members, nextCursor });
            if (members.length === 0) return console.log("No members.");
            console.log(
              formatTable(
                ["CUSTOMER", "ORDERS", "SPENT", "LAST ORDER", "EMAIL", "NAME"],
                members.map((member) => [
                  member.customerId,
                  String(member.ordersCount),
                  formatAmount(member.totalSpent, member.currency),
                  formatDay(member.lastOrderAt),
                  member.email ?? "—",
                  [member.firstName, member.lastName].filter(Boolean).join(" ") || "—",
                ]),
              ),
            );
            if (nextCursor) console.log(`… more members: raise --limit, or \`segments export ${segmentId}\` for all of them.`);
            return;
          }
          case "export": {
            const segmentId = onePositional(positionals, "SEGMENT_ID");
            const workspaceId = await resolveWorkspaceId(db, values.workspace);
            await segmentOrFail(db, workspaceId, segmentId);
            const out = values.out ? createWriteStream(values.out) : process.stdout;
            for await (const line of segmentCsv(db, { workspaceId, segmentId })) {
              if (!out.write(line)) await once(out, "drain");
            }
            if (values.out) {
              const file = out;
              await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
              console.error(`Wrote ${values.out}.`);
            }
            return;
          }
          default:
            throw new UsageError(subcommand ? `Unknown segments command "${subcommand}".` : "Name a segments command.");
        }
      });
    },
  );
}
