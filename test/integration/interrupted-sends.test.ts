// A worker killed while calling SendGrid leaves its message `sending`. Past the send lease, the worker settles it
// from what the provider reported: an accepted message is `sent`; one the provider never mentioned is `failed`
// with the reason and is not sent again (an email twice is worse than one shown as failed); a late provider event
// still turns that failure into `sent`. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import { createLogger } from "~/core/logger.server";
import { INTERRUPTED_SEND, SEND_LEASE_MS } from "~/core/messaging/dispatch.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import { recordSendGridEvents } from "~/core/messaging/message-events.server";
import { createWorker } from "~/worker.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const logger = createLogger({ level: "silent" });

describe.each(databaseTargets())("interrupted sends on %s", (_name, createUrl) => {
  let db: Db;
  beforeAll(async () => {
    db = openDb(await createUrl());
  });

  it("settles messages left `sending` past their lease from the provider's events, and never sends them twice", async () => {
    const claimedAt = new Date("2026-11-25T12:00:00.000Z");
    const clock = new ManualClock(claimedAt);
    const workspace = await db.workspace.create({ data: { name: "Interrupted" } });
    const leaseEnd = new Date(claimedAt.getTime() + SEND_LEASE_MS);
    const message = (id: string) =>
      db.message.create({
        data: { id, workspaceId: workspace.id, toEmail: `${id}@example.com`, fromEmail: "shop@example.com", subject: id, html: "<p>x</p>", text: "x", status: "sending", attempts: 1, nextAttemptAt: leaseEnd, createdAt: claimedAt },
      });
    await message("accepted");
    await message("unheard");
    await db.messageEvent.create({
      data: { workspaceId: workspace.id, messageId: "accepted", type: "processed", occurredAt: new Date(claimedAt.getTime() + 2_000), provider: "sendgrid", providerEventId: "ev-accepted" },
    });
    const worker = createWorker({ db, clock, logger, sender: null, defaultFrom: "Shop <shop@example.com>" });
    const status = async (id: string) => db.message.findUniqueOrThrow({ where: { id }, select: { status: true, error: true, sentAt: true, attempts: true } });

    // WHILE the lease runs, a slow send is left alone
    clock.set(new Date(leaseEnd.getTime() - 1));
    await worker.tick();
    expect((await status("accepted")).status).toBe("sending");
    expect((await status("unheard")).status).toBe("sending");

    // AFTER it, the provider's word decides
    clock.set(leaseEnd);
    await worker.tick();
    expect(await status("accepted")).toEqual({ status: "sent", error: null, sentAt: new Date(claimedAt.getTime() + 2_000), attempts: 1 });
    expect(await status("unheard")).toEqual({ status: "failed", error: INTERRUPTED_SEND, sentAt: null, attempts: 1 });
    // and nothing is queued again
    clock.advance({ hours: 2 });
    await worker.tick();
    expect((await status("unheard")).attempts).toBe(1);

    // A late `delivered` from SendGrid turns the failure into what really happened.
    const delivered = [{ event: "delivered", email: "unheard@example.com", timestamp: Math.floor(clock.now().getTime() / 1000), sg_event_id: "ev-late", [MESSAGE_ID_ARG]: "unheard" }];
    const outcome = await db.$transaction((tx) => recordSendGridEvents(tx, { rawBody: JSON.stringify(delivered), inboxEventId: "inbox-late", now: clock.now() }));
    expect(outcome).toMatchObject({ ok: true, result: { recorded: 1 } });
    expect(await status("unheard")).toMatchObject({ status: "sent", error: null });
  });
});
