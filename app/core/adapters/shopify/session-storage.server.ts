// Shopify sessions live in our database through the library's Prisma storage.
// Shim: the storage does `error instanceof Prisma.PrismaClientKnownRequestError` with `Prisma` from the
// @prisma/client stub, which lacks the error classes when clients come from the `prisma-client` generator;
// without this, a failed upsert throws a TypeError that hides the real error and skips the P2002 retry.
import { Prisma } from "@prisma/client";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "~/db.server";

const prismaNamespace: Record<string, unknown> = Prisma;
prismaNamespace.PrismaClientKnownRequestError ??= PrismaClientKnownRequestError;

export function createSessionStorage(db: Db) {
  return new PrismaSessionStorage(db);
}
export type ShopifySessionStorage = ReturnType<typeof createSessionStorage>;
