// Email events (message.*) as triggers: listed like store events, about a customer only.
import { validateDefinition } from "./definition";

const definition = (trigger: Record<string, unknown>) => ({
  schemaVersion: 1,
  trigger,
  goal: null,
  entry: "thanks",
  nodes: [{ id: "thanks", type: "email", name: "Thanks", subject: "Thanks", html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: null }],
});

describe("message.* triggers", () => {
  it("accepts a customer-keyed trigger on a click, filtered by flow and machine opens", () => {
    const result = validateDefinition(
      definition({
        type: "event",
        events: ["message.clicked", "message.opened"],
        entity: "customer",
        conditions: [
          { path: "event.data.flowId", op: "eq", value: "flow_1" },
          { path: "event.data.machineOpen", op: "neq", value: true },
        ],
      }),
    );
    expect(result.ok).toBe(true);
  });

  it("refuses one keyed by a checkout or cart, saying why", () => {
    const result = validateDefinition(definition({ type: "event", events: ["checkout.create", "message.opened"], entity: "checkout" }));
    expect(result).toEqual({ ok: false, problems: [{ path: "trigger.entity", message: 'an email event (message.*) is about a customer: set entity to "customer"' }] });
  });

  it("refuses an email event that does not exist", () => {
    const result = validateDefinition(definition({ type: "event", events: ["message.forwarded"], entity: "customer" }));
    expect(result.ok).toBe(false);
  });
});
