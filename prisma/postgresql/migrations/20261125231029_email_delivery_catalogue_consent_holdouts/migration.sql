-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "holdout" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "contentKey" TEXT;

-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "address" TEXT;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "senderVerifiedAt" TIMESTAMP(3),
ADD COLUMN     "sendgridApiKey" TEXT,
ADD COLUMN     "sendgridRegion" TEXT NOT NULL DEFAULT 'global';

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL,
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentUpdate" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "customerExternalId" TEXT,
    "email" TEXT NOT NULL,
    "subscribed" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "ConsentUpdate_pkey" PRIMARY KEY ("id")
);

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

