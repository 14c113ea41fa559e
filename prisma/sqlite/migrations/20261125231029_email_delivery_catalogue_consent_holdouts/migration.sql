-- AlterTable
ALTER TABLE "Message" ADD COLUMN "contentKey" TEXT;

-- AlterTable
ALTER TABLE "Store" ADD COLUMN "address" TEXT;

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "imageUrl" TEXT,
    "price" INTEGER,
    "currency" TEXT,
    "category" TEXT,
    "available" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ConsentUpdate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "customerExternalId" TEXT,
    "email" TEXT NOT NULL,
    "subscribed" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "nextAttemptAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "doneAt" DATETIME
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
    "holdout" BOOLEAN NOT NULL DEFAULT false,
    "exitedAt" DATETIME,
    "exitReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Enrollment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Enrollment_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Enrollment" ("createdAt", "currentNodeId", "customerId", "deferredReason", "enteredAt", "entityId", "entityType", "entryNumber", "exitReason", "exitedAt", "flowId", "flowVersionId", "id", "lastStepAt", "status", "updatedAt", "wakeAt", "workspaceId") SELECT "createdAt", "currentNodeId", "customerId", "deferredReason", "enteredAt", "entityId", "entityType", "entryNumber", "exitReason", "exitedAt", "flowId", "flowVersionId", "id", "lastStepAt", "status", "updatedAt", "wakeAt", "workspaceId" FROM "Enrollment";
DROP TABLE "Enrollment";
ALTER TABLE "new_Enrollment" RENAME TO "Enrollment";
CREATE INDEX "Enrollment_status_wakeAt_idx" ON "Enrollment"("status", "wakeAt");
CREATE INDEX "Enrollment_workspaceId_customerId_status_idx" ON "Enrollment"("workspaceId", "customerId", "status");
CREATE UNIQUE INDEX "Enrollment_flowId_entityType_entityId_entryNumber_key" ON "Enrollment"("flowId", "entityType", "entityId", "entryNumber");
CREATE TABLE "new_Workspace" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "fromEmail" TEXT,
    "fromName" TEXT,
    "sendgridApiKey" TEXT,
    "sendgridRegion" TEXT NOT NULL DEFAULT 'global',
    "senderVerifiedAt" DATETIME,
    "settings" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Workspace" ("createdAt", "fromEmail", "fromName", "id", "isDemo", "name", "settings", "updatedAt") SELECT "createdAt", "fromEmail", "fromName", "id", "isDemo", "name", "settings", "updatedAt" FROM "Workspace";
DROP TABLE "Workspace";
ALTER TABLE "new_Workspace" RENAME TO "Workspace";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Product_workspaceId_category_idx" ON "Product"("workspaceId", "category");

-- CreateIndex
CREATE UNIQUE INDEX "Product_storeId_externalId_key" ON "Product"("storeId", "externalId");

-- CreateIndex
CREATE INDEX "ConsentUpdate_status_nextAttemptAt_idx" ON "ConsentUpdate"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "ConsentUpdate_workspaceId_createdAt_idx" ON "ConsentUpdate"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_redactedAt_idx" ON "Customer"("workspaceId", "redactedAt");

-- CreateIndex
CREATE INDEX "Message_workspaceId_contentKey_status_nextAttemptAt_idx" ON "Message"("workspaceId", "contentKey", "status", "nextAttemptAt");

