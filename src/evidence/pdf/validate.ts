import type { z } from 'zod';
import { LedgerError } from '../../errors.ts';

/** Input crosses a boundary here (API, CLI, another module): zod-check it and fail with our error type. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new LedgerError('LL_VALIDATION_FAILED', `${what} is not valid`, {
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
