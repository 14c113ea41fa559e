// Each workspace's own sender: its SendGrid key (opened from Workspace.sendgridApiKey) at its region's API. Built
// once per workspace and kept while the stored key and region stay the same: the sealed value changes with every
// save (a fresh IV), so a new key, a region change or a removal is seen at the next send.
import type { Db } from "~/db.server";
import type { SecretBox } from "~/core/crypto.server";
import type { Logger } from "~/core/logger.server";
import { regionOf, sendGridBaseUrl, type SendGridBaseUrls } from "./email-settings.server";
import type { EmailSender, SenderDirectory } from "./sender";
import { createSendGridSender } from "./sendgrid.server";

export interface SenderDirectoryDeps {
  db: Db;
  secretBox: SecretBox;
  sendgrid: SendGridBaseUrls;
  logger?: Logger;
  /** Builds a sender for a key; default SendGrid (createSendGridSender). */
  createSender?: (config: { apiKey: string; baseUrl: string }) => EmailSender;
}

/**
 * A sender that refuses every email: the stored key cannot be opened (ENCRYPTION_KEY changed). Falling back to the
 * app's account would send as this workspace through someone else's account, so it fails with the reason instead.
 */
function unopenableKeySender(): EmailSender {
  return {
    provider: "sendgrid",
    send: async () => ({
      ok: false,
      retryable: false,
      error: "the workspace's SendGrid API key cannot be opened with this server's ENCRYPTION_KEY; paste it again in Settings → Email delivery",
      retryAfterMs: null,
    }),
  };
}

export function createSenderDirectory(deps: SenderDirectoryDeps): SenderDirectory {
  const build = deps.createSender ?? createSendGridSender;
  const cache = new Map<string, { stored: string; sender: EmailSender }>();

  return {
    async forWorkspace(workspaceId) {
      const workspace = await deps.db.workspace.findUnique({ where: { id: workspaceId }, select: { sendgridApiKey: true, sendgridRegion: true } });
      if (!workspace?.sendgridApiKey) {
        cache.delete(workspaceId);
        return null;
      }
      const region = regionOf(workspace.sendgridRegion);
      const stored = `${region}:${workspace.sendgridApiKey}`;
      const cached = cache.get(workspaceId);
      if (cached?.stored === stored) return cached.sender;
      let sender: EmailSender;
      try {
        sender = build({ apiKey: deps.secretBox.open(workspace.sendgridApiKey), baseUrl: sendGridBaseUrl(deps.sendgrid, region) });
      } catch (error) {
        deps.logger?.error({ workspaceId, err: error }, "the workspace's SendGrid key cannot be opened");
        sender = unopenableKeySender();
      }
      cache.set(workspaceId, { stored, sender });
      return sender;
    },
  };
}
