import { z } from 'zod';
import { Id, Instant, OrgId, ShortText, type EventOf, type EventSchemas } from '../schema.ts';
import { ProductTermsFields } from './terms.ts';

export const productEvents = {
  ProductPublished: {
    schemaVersion: 1,
    description: "A bank's loan product entered the product pool (贷款产品清单).",
    schema: z.strictObject({ productId: Id, bank: OrgId, ...ProductTermsFields, publishedAt: Instant }),
  },
  ProductAmended: {
    schemaVersion: 1,
    description: 'The bank replaced the terms of its product (the full new terms).',
    schema: z.strictObject({ productId: Id, ...ProductTermsFields, amendedAt: Instant }),
  },
  ProductWithdrawn: {
    schemaVersion: 1,
    description: 'The bank withdrew the product from the pool; it no longer matches.',
    schema: z.strictObject({ productId: Id, reason: ShortText, withdrawnAt: Instant }),
  },
} satisfies EventSchemas;

export type ProductEvent = EventOf<typeof productEvents>;
