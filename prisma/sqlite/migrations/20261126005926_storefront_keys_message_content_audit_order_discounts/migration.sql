-- AlterTable
ALTER TABLE "Store" ADD COLUMN "storefrontKey" TEXT;
ALTER TABLE "Store" ADD COLUMN "storefrontOrigins" JSONB;
ALTER TABLE "Store" ADD COLUMN "webPixelId" TEXT;

-- CreateTable
CREATE TABLE "MessageContent" (
    "workspaceId" TEXT NOT NULL,
    "contentKey" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "links" JSONB NOT NULL,
    "unsubscribe" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("workspaceId", "contentKey"),
    CONSTRAINT "MessageContent_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "detail" JSONB,
    CONSTRAINT "AuditEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT,
    "customerId" TEXT,
    "flowId" TEXT,
    "enrollmentId" TEXT,
    "nodeId" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'marketing',
    "toEmail" TEXT NOT NULL,
    "fromEmail" TEXT NOT NULL,
    "fromName" TEXT,
    "subject" TEXT NOT NULL,
    "html" TEXT,
    "text" TEXT,
    "contentKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "provider" TEXT,
    "providerMessageId" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    CONSTRAINT "Message_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "contentKey", "createdAt", "customerId", "enrollmentId", "error", "flowId", "fromEmail", "fromName", "html", "id", "kind", "nextAttemptAt", "nodeId", "provider", "providerMessageId", "sentAt", "status", "storeId", "subject", "text", "toEmail", "workspaceId") SELECT "attempts", "contentKey", "createdAt", "customerId", "enrollmentId", "error", "flowId", "fromEmail", "fromName", "html", "id", "kind", "nextAttemptAt", "nodeId", "provider", "providerMessageId", "sentAt", "status", "storeId", "subject", "text", "toEmail", "workspaceId" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");
CREATE INDEX "Message_workspaceId_contentKey_status_nextAttemptAt_idx" ON "Message"("workspaceId", "contentKey", "status", "nextAttemptAt");
CREATE INDEX "Message_workspaceId_createdAt_idx" ON "Message"("workspaceId", "createdAt");
CREATE INDEX "Message_workspaceId_flowId_idx" ON "Message"("workspaceId", "flowId");
CREATE INDEX "Message_workspaceId_customerId_createdAt_idx" ON "Message"("workspaceId", "customerId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "AuditEntry_workspaceId_at_idx" ON "AuditEntry"("workspaceId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_workspaceId_subjectType_subjectId_at_idx" ON "AuditEntry"("workspaceId", "subjectType", "subjectId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Store_storefrontKey_key" ON "Store"("storefrontKey");


-- AlterTable
ALTER TABLE "Order" ADD COLUMN "discountCodes" JSONB;


-- AlterTable
ALTER TABLE "StepRun" ADD COLUMN "discountCode" TEXT;

-- CreateIndex
CREATE INDEX "Message_enrollmentId_idx" ON "Message"("enrollmentId");

-- CreateIndex
CREATE INDEX "StepRun_workspaceId_discountCode_idx" ON "StepRun"("workspaceId", "discountCode");

