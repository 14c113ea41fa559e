// The demo store of the embedded default speaks canonical events directly: its payload is `{ events: [...] }`.
import { z } from "zod";
import { CanonicalEvent } from "~/core/events";
import type { PlatformAdapter } from "../adapter";
import { describeZodError } from "../describe-error";

const DemoPayload = z.object({ events: z.array(CanonicalEvent).min(1) });

export const demoAdapter: PlatformAdapter = {
  platform: "demo",
  toCanonical({ payload }) {
    const parsed = DemoPayload.safeParse(payload);
    return parsed.success ? { ok: true, events: parsed.data.events } : { ok: false, error: describeZodError(parsed.error) };
  },
};
