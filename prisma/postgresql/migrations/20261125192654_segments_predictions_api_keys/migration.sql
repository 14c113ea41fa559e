-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "city" TEXT,
ADD COLUMN     "country" TEXT,
ADD COLUMN     "originStoreId" TEXT,
ADD COLUMN     "region" TEXT;

-- CreateTable
CREATE TABLE "CustomerTag" (
    "workspaceId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    CONSTRAINT "CustomerTag_pkey" PRIMARY KEY ("customerId","tag")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "category" TEXT,
    "quantity" INTEGER NOT NULL,
    "price" INTEGER NOT NULL,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "builtin" TEXT,
    "rule" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "computedAt" TIMESTAMP(3),
    "sweptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SegmentMembership" (
    "segmentId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SegmentMembership_pkey" PRIMARY KEY ("segmentId","customerId")
);

-- CreateTable
CREATE TABLE "SegmentCountHistory" (
    "segmentId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "members" INTEGER NOT NULL,
    "entered" INTEGER NOT NULL DEFAULT 0,
    "exited" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SegmentCountHistory_pkey" PRIMARY KEY ("segmentId","day")
);

-- CreateTable
CREATE TABLE "PredictionModel" (
    "workspaceId" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "customers" INTEGER NOT NULL,
    "fittedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PredictionModel_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "CustomerPrediction" (
    "customerId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "churnProbability" DOUBLE PRECISION NOT NULL,
    "churnLow" DOUBLE PRECISION NOT NULL,
    "churnHigh" DOUBLE PRECISION NOT NULL,
    "expectedOrders12m" DOUBLE PRECISION NOT NULL,
    "clv12m" INTEGER NOT NULL,
    "clvLow" INTEGER NOT NULL,
    "clvHigh" INTEGER NOT NULL,
    "currency" TEXT,
    "nextOrderAt" TIMESTAMP(3),
    "nextOrderLow" TIMESTAMP(3),
    "nextOrderHigh" TIMESTAMP(3),
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerPrediction_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "CustomerTag" ADD CONSTRAINT "CustomerTag_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Segment" ADD CONSTRAINT "Segment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMembership" ADD CONSTRAINT "SegmentMembership_segmentId_fkey" FOREIGN KEY ("segmentId") REFERENCES "Segment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMembership" ADD CONSTRAINT "SegmentMembership_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentCountHistory" ADD CONSTRAINT "SegmentCountHistory_segmentId_fkey" FOREIGN KEY ("segmentId") REFERENCES "Segment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerPrediction" ADD CONSTRAINT "CustomerPrediction_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

