import { z } from 'zod';
import { Id, ShortText, type CommandOf } from '../schema.ts';
import { ProductTermsFields } from './terms.ts';

export const productCommands = {
  PublishProduct: z.strictObject({ productId: Id, ...ProductTermsFields }),
  AmendProduct: z.strictObject(ProductTermsFields),
  WithdrawProduct: z.strictObject({ reason: ShortText }),
};

export type ProductCommand = CommandOf<typeof productCommands>;
