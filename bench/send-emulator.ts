// The SendGrid emulator of bench/send, in a process of its own (forked by send.ts): ours and the floor post to it
// alike, and its JSON parsing and validation run beside the sender instead of taking turns with it on one event
// loop. Driven over IPC: the clock's skipped waits, the 429s to inject, and a report of what it accepted.
import { startSendGridEmulator } from "../test/emulators/sendgrid/server";

/** Requests from send.ts, each answered with { seq, ... }. */
export type EmulatorCommand =
  | { seq: number; type: "skip"; skippedMs: number }
  | { seq: number; type: "failAt"; index: number; status: number; resetAfterSeconds: number }
  | { seq: number; type: "clear" }
  | { seq: number; type: "report" }
  | { seq: number; type: "close" };

export interface EmulatorReport {
  /** Every accepted recipient: its message id (custom arg) and when its request was accepted (epoch ms). */
  accepted: [string, number][];
  requests: number;
  /** The injected 429s: their X-RateLimit-Reset (epoch s) and the message ids they refused. */
  limited: { reset: number; ids: string[] }[];
}

const MESSAGE_ID_ARG = "nudgeflow_message_id";

async function main(): Promise<void> {
  const apiKey = process.env.BENCH_SEND_API_KEY ?? "";
  let skippedMs = 0;
  // The bench's clock: real time plus the 429 waits it skipped (told over IPC before the next request).
  const clock = { now: () => new Date(Date.now() + skippedMs) };
  const emulator = await startSendGridEmulator({ apiKey, clock });
  const send = (message: unknown) => process.send?.(message);
  process.on("message", async (command: EmulatorCommand) => {
    switch (command.type) {
      case "skip":
        skippedMs = command.skippedMs;
        return send({ seq: command.seq });
      case "failAt":
        emulator.failAt(command.index, command.status, { resetAfterSeconds: command.resetAfterSeconds });
        return send({ seq: command.seq });
      case "clear":
        emulator.messages.length = 0;
        emulator.requests.length = 0;
        return send({ seq: command.seq });
      case "report": {
        const accepted: [string, number][] = [];
        for (const message of emulator.messages) {
          const at = message.receivedAt.getTime();
          for (const personalization of message.body.personalizations) accepted.push([String(personalization.custom_args?.[MESSAGE_ID_ARG]), at]);
        }
        const limited = emulator.requests
          .filter((request) => request.status === 429)
          .map((request) => {
            const body = request.body;
            const personalizations = typeof body === "object" && body !== null && "personalizations" in body && Array.isArray(body.personalizations) ? body.personalizations : [];
            return { reset: request.rateLimitReset ?? 0, ids: personalizations.map((p: { custom_args?: Record<string, string> }) => String(p?.custom_args?.[MESSAGE_ID_ARG])) };
          });
        const report: EmulatorReport = { accepted, requests: emulator.requests.length, limited };
        return send({ seq: command.seq, report });
      }
      case "close":
        await emulator.close();
        send({ seq: command.seq });
        return process.disconnect();
    }
  });
  send({ ready: emulator.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
