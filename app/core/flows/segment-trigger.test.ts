// The segment trigger in the definition format: its shape, its precise errors, what it listens for and keys by,
// the conditions it matches, and the flow `/app/flows/new?segmentId=…` starts from.
import { segmentEvent } from "~/core/events";
import { referencedSegmentIds, triggerEntity, triggerEventTypes, validateDefinition, type Trigger } from "./definition";
import { matchTrigger } from "./engine";
import { segmentFlowDefinition, segmentFlowName } from "./segment-trigger.server";

const base = {
  schemaVersion: 1,
  goal: null,
  entry: "wait",
  nodes: [
    { id: "wait", type: "delay", duration: { days: 1 }, next: "hello" },
    { id: "hello", type: "email", name: "Hello", subject: "Hi", html: "<p>Hi</p>", text: "Hi", next: null },
  ],
};

describe("segment triggers", () => {
  it("accepts a segment trigger and fills in its defaults", () => {
    const result = validateDefinition({ ...base, trigger: { type: "segment", segmentId: "seg_vip", on: "entered" } });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.definition.trigger).toEqual({ type: "segment", segmentId: "seg_vip", on: "entered", conditions: [] });
    expect(referencedSegmentIds(result.definition)).toEqual(["seg_vip"]);
  });

  it("names each problem at its path: no segment chosen, an unknown direction, an unknown trigger type", () => {
    const empty = validateDefinition({ ...base, trigger: { type: "segment", segmentId: "", on: "entered" } });
    expect(empty.ok ? [] : empty.problems).toEqual([{ path: "trigger.segmentId", message: "choose a segment" }]);
    const direction = validateDefinition({ ...base, trigger: { type: "segment", segmentId: "seg_vip", on: "joined" } });
    expect(direction.ok ? [] : direction.problems.map((problem) => problem.path)).toEqual(["trigger.on"]);
    const unknown = validateDefinition({ ...base, trigger: { type: "date_property", path: "customer.birthday" } });
    expect(unknown.ok ? [] : unknown.problems).toEqual([{ path: "trigger.type", message: 'a trigger is { "type": "event", … }, { "type": "segment", … } or { "type": "inactivity", … }' }]);
  });

  it("keeps event triggers as they were", () => {
    const result = validateDefinition({ ...base, trigger: { type: "event", events: ["order.add"], entity: "customer" } });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(triggerEventTypes(result.definition.trigger)).toEqual(["order.add"]);
    expect(triggerEntity(result.definition.trigger)).toBe("customer");
    expect(referencedSegmentIds(result.definition)).toEqual([]);
  });

  it("listens for segment.entered or segment.exited and keys the journey by customer", () => {
    const entered: Trigger = { type: "segment", segmentId: "seg_vip", on: "entered", conditions: [] };
    const exited: Trigger = { ...entered, on: "exited" };
    expect(triggerEventTypes(entered)).toEqual(["segment.entered"]);
    expect(triggerEventTypes(exited)).toEqual(["segment.exited"]);
    expect(triggerEntity(exited)).toBe("customer");
  });

  it("matches conditions on the segment event's data and the customer", () => {
    // GIVEN a trigger that ignores moves made by the scheduled repair, for customers who ordered at least twice
    const trigger: Trigger = {
      type: "segment",
      segmentId: "seg_vip",
      on: "entered",
      conditions: [
        { path: "event.data.cause", op: "neq", value: "recompute" },
        { path: "customer.ordersCount", op: "gte", value: 2 },
      ],
    };
    const at = new Date("2026-05-01T10:00:00Z");
    const event = (cause: "event" | "recompute") => segmentEvent({ change: "entered", data: { segment: { id: "seg_vip", name: "VIPs" }, why: "Spent $612.00", cause }, occurredAt: at });
    // THEN an order-driven entry of a repeat customer matches; a repair, or a one-order customer, does not
    expect(matchTrigger(trigger, { event: event("event"), customer: { ordersCount: 3 } })).toEqual({ matched: true });
    expect(matchTrigger(trigger, { event: event("recompute"), customer: { ordersCount: 3 } })).toEqual({ matched: false, failed: 'event.data.cause neq "recompute"' });
    expect(matchTrigger(trigger, { event: event("event"), customer: { ordersCount: 1 } })).toEqual({ matched: false, failed: "customer.ordersCount gte 2" });
    expect(event("event")).toMatchObject({ type: "segment.entered", version: 1, occurredAt: "2026-05-01T10:00:00.000Z" });
  });

  it("starts a segment's flow with a day's delay and an email, valid as it is", () => {
    const definition = segmentFlowDefinition({ id: "seg_vip", name: "VIPs" });
    const result = validateDefinition(definition);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.definition.trigger).toEqual({ type: "segment", segmentId: "seg_vip", on: "entered", conditions: [] });
    expect(result.definition.nodes.map((node) => node.type)).toEqual(["delay", "email"]);
    expect(result.definition.nodes[0]).toMatchObject({ duration: { days: 1 } });
    expect(segmentFlowName("VIPs")).toBe("When a customer enters VIPs");
  });
});
