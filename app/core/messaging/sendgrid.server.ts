// SendGrid through @sendgrid/mail, with a client of our own (never the shared singleton): setApiKey() resets
// the base URL, so the base URL (EU residency, or the emulator in tests) is set after it.
import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { MESSAGE_ID_ARG } from "./message-id";
import { listUnsubscribeHeaders, type EmailSender, type OutgoingEmail, type SendResult } from "./sender";

export { MESSAGE_ID_ARG };

interface ProviderError {
  code?: number;
  message?: string;
  response?: { headers?: Record<string, string>; body?: unknown };
}

function asProviderError(error: unknown): ProviderError {
  return typeof error === "object" && error !== null ? error : { message: String(error) };
}

export function createSendGridSender(config: { apiKey: string; baseUrl: string }): EmailSender {
  const client = new Client();
  client.setApiKey(config.apiKey);
  client.setDefaultRequest("baseUrl", config.baseUrl.replace(/\/?$/, "/"));
  const mail = new MailService();
  mail.setClient(client);

  return {
    provider: "sendgrid",
    async send(email: OutgoingEmail): Promise<SendResult> {
      try {
        const [response] = await mail.send({
          to: email.to,
          from: { email: email.from.email, ...(email.from.name ? { name: email.from.name } : {}) },
          subject: email.subject,
          text: email.text,
          html: email.html,
          customArgs: { [MESSAGE_ID_ARG]: email.messageId },
          ...(email.unsubscribeUrl ? { headers: listUnsubscribeHeaders(email.unsubscribeUrl) } : {}),
        });
        const id = response.headers["x-message-id"];
        return { ok: true, providerMessageId: typeof id === "string" ? id : null };
      } catch (error) {
        const failure = asProviderError(error);
        const status = failure.code ?? 0;
        const retryAfter = Number(failure.response?.headers?.["retry-after"]);
        const detail = failure.response?.body ? JSON.stringify(failure.response.body) : (failure.message ?? "unknown error");
        return {
          ok: false,
          retryable: status === 0 || status === 429 || status >= 500,
          error: `SendGrid ${status || "network error"}: ${detail}`,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
        };
      }
    },
  };
}
