-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "city" TEXT;
ALTER TABLE "Customer" ADD COLUMN "country" TEXT;
ALTER TABLE "Customer" ADD COLUMN "originStoreId" TEXT;
ALTER TABLE "Customer" ADD COLUMN "region" TEXT;

-- CreateTable
CREATE TABLE "CustomerTag" (
    "workspaceId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    PRIMARY KEY ("customerId", "tag"),
    CONSTRAINT "CustomerTag_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "category" TEXT,
    "quantity" INTEGER NOT NULL,
    "price" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "builtin" TEXT,
    "rule" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "computedAt" DATETIME,
    "sweptAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Segment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SegmentMembership" (
    "segmentId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "enteredAt" DATETIME NOT NULL,

    PRIMARY KEY ("segmentId", "customerId"),
    CONSTRAINT "SegmentMembership_segmentId_fkey" FOREIGN KEY ("segmentId") REFERENCES "Segment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SegmentMembership_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SegmentCountHistory" (
    "segmentId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "members" INTEGER NOT NULL,
    "entered" INTEGER NOT NULL DEFAULT 0,
    "exited" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("segmentId", "day"),
    CONSTRAINT "SegmentCountHistory_segmentId_fkey" FOREIGN KEY ("segmentId") REFERENCES "Segment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PredictionModel" (
    "workspaceId" TEXT NOT NULL PRIMARY KEY,
    "params" JSONB NOT NULL,
    "customers" INTEGER NOT NULL,
    "fittedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CustomerPrediction" (
    "customerId" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "churnProbability" REAL NOT NULL,
    "churnLow" REAL NOT NULL,
    "churnHigh" REAL NOT NULL,
    "expectedOrders12m" REAL NOT NULL,
    "clv12m" INTEGER NOT NULL,
    "clvLow" INTEGER NOT NULL,
    "clvHigh" INTEGER NOT NULL,
    "currency" TEXT,
    "nextOrderAt" DATETIME,
    "nextOrderLow" DATETIME,
    "nextOrderHigh" DATETIME,
    "computedAt" DATETIME NOT NULL,
    CONSTRAINT "CustomerPrediction_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CustomerTag_workspaceId_tag_idx" ON "CustomerTag"("workspaceId", "tag");

-- CreateIndex
CREATE INDEX "OrderLine_workspaceId_productId_idx" ON "OrderLine"("workspaceId", "productId");

-- CreateIndex
CREATE INDEX "OrderLine_workspaceId_category_idx" ON "OrderLine"("workspaceId", "category");

-- CreateIndex
CREATE UNIQUE INDEX "OrderLine_orderId_position_key" ON "OrderLine"("orderId", "position");

-- CreateIndex
CREATE INDEX "Segment_workspaceId_status_idx" ON "Segment"("workspaceId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Segment_workspaceId_builtin_key" ON "Segment"("workspaceId", "builtin");

-- CreateIndex
CREATE INDEX "SegmentMembership_workspaceId_customerId_idx" ON "SegmentMembership"("workspaceId", "customerId");

-- CreateIndex
CREATE INDEX "SegmentCountHistory_workspaceId_day_idx" ON "SegmentCountHistory"("workspaceId", "day");

-- CreateIndex
CREATE INDEX "CustomerPrediction_workspaceId_churnProbability_idx" ON "CustomerPrediction"("workspaceId", "churnProbability");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_workspaceId_idx" ON "ApiKey"("workspaceId");

-- CreateIndex
CREATE INDEX "Cart_workspaceId_lastActivityAt_idx" ON "Cart"("workspaceId", "lastActivityAt");

-- CreateIndex
CREATE INDEX "Checkout_workspaceId_lastActivityAt_idx" ON "Checkout"("workspaceId", "lastActivityAt");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_createdAt_idx" ON "Customer"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_workspaceId_placedAt_idx" ON "Order"("workspaceId", "placedAt");

