import pino from "pino";

/** One structured logger, context first: `logger.info({ workspaceId, flowId }, "published")`. */
export type Logger = pino.Logger;

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "nudgeflow",
    level: options.level ?? "info",
    // Secrets and personal data never reach the log sink.
    redact: {
      paths: ["*.accessToken", "*.apiKey", "*.password", "*.passwordHash", "*.secret", "*.email", "*.toEmail", "headers.authorization"],
      censor: "[redacted]",
    },
  });
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: "silent" });
