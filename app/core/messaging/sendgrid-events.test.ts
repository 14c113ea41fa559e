import { isMachineOpen, mapSendGridEvent, SendGridEvent } from "./sendgrid-events";

const base = { email: "ann@example.com", timestamp: 1767225600, sg_event_id: "ev-1", nudgeflow_message_id: "msg_1" };
const map = (fields: Record<string, unknown>) => mapSendGridEvent(SendGridEvent.parse({ ...base, ...fields }));

describe("SendGrid events", () => {
  it("maps an event to our message, its time and its id", () => {
    expect(map({ event: "delivered", response: "250 OK" })).toEqual({
      messageId: "msg_1",
      type: "delivered",
      occurredAt: new Date("2026-01-01T00:00:00.000Z"),
      providerEventId: "ev-1",
      url: null,
      reason: "250 OK",
      machineOpen: false,
      suppress: null,
    });
    expect(map({ event: "click", url: "https://shop.example/cart" })?.url).toBe("https://shop.example/cart");
  });

  it("suppresses on hard bounces, spam reports and unsubscribes, not on blocks or drops", () => {
    expect(map({ event: "bounce", type: "bounce", status: "5.1.1", reason: "550 user unknown" })).toMatchObject({ suppress: "bounce", reason: "5.1.1 550 user unknown" });
    expect(map({ event: "bounce", type: "blocked", reason: "spam filter" })?.suppress).toBeNull();
    expect(map({ event: "dropped", reason: "Bounced Address" })?.suppress).toBeNull();
    for (const event of ["spamreport", "unsubscribe", "group_unsubscribe"]) expect(map({ event })?.suppress).toBe(event);
  });

  it("flags machine opens: sg_machine_open, Apple's prefetch agent, security scanners", () => {
    expect(map({ event: "open", sg_machine_open: true, useragent: "Mozilla/5.0 (iPhone)" })?.machineOpen).toBe(true);
    expect(isMachineOpen({ useragent: "Mozilla/5.0" })).toBe(true);
    expect(isMachineOpen({ useragent: "Mimecast-Scanner/1.0" })).toBe(true);
    expect(map({ event: "open", sg_machine_open: false, useragent: "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15" })?.machineOpen).toBe(false);
  });

  it("keeps no event types beyond the ten it knows", () => {
    expect(map({ event: "group_resubscribe" })).toBeNull();
  });
});
