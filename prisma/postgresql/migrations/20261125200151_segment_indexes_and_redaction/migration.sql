-- DropIndex
DROP INDEX "Order_workspaceId_placedAt_idx";

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "redactedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Customer_workspaceId_id_idx" ON "Customer"("workspaceId", "id");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_firstOrderAt_idx" ON "Customer"("workspaceId", "firstOrderAt");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_ordersCount_lastOrderAt_id_idx" ON "Customer"("workspaceId", "ordersCount", "lastOrderAt", "id");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_totalSpent_ordersCount_id_idx" ON "Customer"("workspaceId", "totalSpent", "ordersCount", "id");

-- CreateIndex
CREATE INDEX "Message_workspaceId_customerId_createdAt_idx" ON "Message"("workspaceId", "customerId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_storeId_cartToken_idx" ON "Order"("storeId", "cartToken");

-- CreateIndex
CREATE INDEX "Order_workspaceId_placedAt_cancelledAt_customerId_idx" ON "Order"("workspaceId", "placedAt", "cancelledAt", "customerId");

