-- AlterTable
ALTER TABLE "Message" ALTER COLUMN "html" DROP NOT NULL,
ALTER COLUMN "text" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "storefrontKey" TEXT,
ADD COLUMN     "storefrontOrigins" JSONB,
ADD COLUMN     "webPixelId" TEXT;

-- CreateTable
CREATE TABLE "MessageContent" (
    "workspaceId" TEXT NOT NULL,
    "contentKey" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "links" JSONB NOT NULL,
    "unsubscribe" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageContent_pkey" PRIMARY KEY ("workspaceId","contentKey")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEntry_workspaceId_at_idx" ON "AuditEntry"("workspaceId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_workspaceId_subjectType_subjectId_at_idx" ON "AuditEntry"("workspaceId", "subjectType", "subjectId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Store_storefrontKey_key" ON "Store"("storefrontKey");

-- AddForeignKey
ALTER TABLE "MessageContent" ADD CONSTRAINT "MessageContent_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "discountCodes" JSONB;


-- AlterTable
ALTER TABLE "StepRun" ADD COLUMN     "discountCode" TEXT;

-- CreateIndex
CREATE INDEX "Message_enrollmentId_idx" ON "Message"("enrollmentId");

-- CreateIndex
CREATE INDEX "StepRun_workspaceId_discountCode_idx" ON "StepRun"("workspaceId", "discountCode");

