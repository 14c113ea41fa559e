-- DropIndex
DROP INDEX "Enrollment_flowId_entityType_entityId_key";

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "deferredReason" TEXT,
ADD COLUMN     "entryNumber" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "draftDefinition" JSONB,
ADD COLUMN     "draftUpdatedAt" TIMESTAMP(3),
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 100;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'marketing';

-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "apiUrl" TEXT,
ADD COLUMN     "credentials" TEXT,
ADD COLUMN     "webhookSecret" TEXT;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "settings" JSONB;

-- CreateTable
CREATE TABLE "EnrollmentTrace" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "enrollmentId" TEXT,
    "customerId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL,

    CONSTRAINT "EnrollmentTrace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "cursor" TEXT,
    "status" TEXT NOT NULL DEFAULT 'idle',
    "error" TEXT,
    "lastRunAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PrivacyRequest" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT,
    "kind" TEXT NOT NULL,
    "externalCustomerId" TEXT,
    "email" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "error" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "inboxEventId" TEXT,

    CONSTRAINT "PrivacyRequest_pkey" PRIMARY KEY ("id")
);

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
CREATE UNIQUE INDEX "Enrollment_flowId_entityType_entityId_entryNumber_key" ON "Enrollment"("flowId", "entityType", "entityId", "entryNumber");

-- CreateIndex
CREATE INDEX "InboxEvent_status_receivedAt_idx" ON "InboxEvent"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "Order_storeId_checkoutToken_idx" ON "Order"("storeId", "checkoutToken");

