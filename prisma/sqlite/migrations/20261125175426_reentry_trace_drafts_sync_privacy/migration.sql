-- AlterTable
ALTER TABLE "Store" ADD COLUMN "apiUrl" TEXT;
ALTER TABLE "Store" ADD COLUMN "credentials" TEXT;
ALTER TABLE "Store" ADD COLUMN "webhookSecret" TEXT;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "settings" JSONB;

-- CreateTable
CREATE TABLE "EnrollmentTrace" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "enrollmentId" TEXT,
    "customerId" TEXT,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "cursor" TEXT,
    "status" TEXT NOT NULL DEFAULT 'idle',
    "error" TEXT,
    "lastRunAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PrivacyRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT,
    "kind" TEXT NOT NULL,
    "externalCustomerId" TEXT,
    "email" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "error" TEXT,
    "requestedAt" DATETIME NOT NULL,
    "completedAt" DATETIME,
    "inboxEventId" TEXT
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Enrollment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "flowVersionId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "entryNumber" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'active',
    "currentNodeId" TEXT,
    "wakeAt" DATETIME,
    "enteredAt" DATETIME NOT NULL,
    "lastStepAt" DATETIME,
    "deferredReason" TEXT,
    "exitedAt" DATETIME,
    "exitReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Enrollment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Enrollment_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Enrollment" ("createdAt", "currentNodeId", "customerId", "enteredAt", "entityId", "entityType", "exitReason", "exitedAt", "flowId", "flowVersionId", "id", "lastStepAt", "status", "updatedAt", "wakeAt", "workspaceId") SELECT "createdAt", "currentNodeId", "customerId", "enteredAt", "entityId", "entityType", "exitReason", "exitedAt", "flowId", "flowVersionId", "id", "lastStepAt", "status", "updatedAt", "wakeAt", "workspaceId" FROM "Enrollment";
DROP TABLE "Enrollment";
ALTER TABLE "new_Enrollment" RENAME TO "Enrollment";
CREATE INDEX "Enrollment_status_wakeAt_idx" ON "Enrollment"("status", "wakeAt");
CREATE INDEX "Enrollment_workspaceId_customerId_status_idx" ON "Enrollment"("workspaceId", "customerId", "status");
CREATE UNIQUE INDEX "Enrollment_flowId_entityType_entityId_entryNumber_key" ON "Enrollment"("flowId", "entityType", "entityId", "entryNumber");
CREATE TABLE "new_Flow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "blueprint" TEXT,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "liveVersionId" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 100,
    "draftDefinition" JSONB,
    "draftUpdatedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Flow_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Flow" ("blueprint", "createdAt", "id", "liveVersionId", "name", "status", "updatedAt", "workspaceId") SELECT "blueprint", "createdAt", "id", "liveVersionId", "name", "status", "updatedAt", "workspaceId" FROM "Flow";
DROP TABLE "Flow";
ALTER TABLE "new_Flow" RENAME TO "Flow";
CREATE INDEX "Flow_workspaceId_status_idx" ON "Flow"("workspaceId", "status");
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
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
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
INSERT INTO "new_Message" ("attempts", "createdAt", "customerId", "enrollmentId", "error", "flowId", "fromEmail", "fromName", "html", "id", "nextAttemptAt", "nodeId", "provider", "providerMessageId", "sentAt", "status", "storeId", "subject", "text", "toEmail", "workspaceId") SELECT "attempts", "createdAt", "customerId", "enrollmentId", "error", "flowId", "fromEmail", "fromName", "html", "id", "nextAttemptAt", "nodeId", "provider", "providerMessageId", "sentAt", "status", "storeId", "subject", "text", "toEmail", "workspaceId" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");
CREATE INDEX "Message_workspaceId_createdAt_idx" ON "Message"("workspaceId", "createdAt");
CREATE INDEX "Message_workspaceId_flowId_idx" ON "Message"("workspaceId", "flowId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "EnrollmentTrace_workspaceId_enrollmentId_at_idx" ON "EnrollmentTrace"("workspaceId", "enrollmentId", "at");

-- CreateIndex
CREATE INDEX "EnrollmentTrace_workspaceId_customerId_at_idx" ON "EnrollmentTrace"("workspaceId", "customerId", "at");

-- CreateIndex
CREATE INDEX "SyncState_workspaceId_idx" ON "SyncState"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "SyncState_storeId_resource_key" ON "SyncState"("storeId", "resource");

-- CreateIndex
CREATE UNIQUE INDEX "PrivacyRequest_inboxEventId_key" ON "PrivacyRequest"("inboxEventId");

-- CreateIndex
CREATE INDEX "PrivacyRequest_workspaceId_requestedAt_idx" ON "PrivacyRequest"("workspaceId", "requestedAt");

-- CreateIndex
CREATE INDEX "Checkout_storeId_cartToken_idx" ON "Checkout"("storeId", "cartToken");

-- CreateIndex
CREATE INDEX "InboxEvent_status_receivedAt_idx" ON "InboxEvent"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "Order_storeId_checkoutToken_idx" ON "Order"("storeId", "checkoutToken");

