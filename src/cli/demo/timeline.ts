import { z } from 'zod';
import type { DemoContext } from './context.ts';

/** A loan's events as GET /v1/loans/:id/timeline returns them (with its guarantee stream). */
export const TimelineEvent = z.looseObject({
  stream: z.string(),
  type: z.string(),
  position: z.number().int(),
  data: z.record(z.string(), z.unknown()),
  anchorStatus: z.string(),
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;
export const Timeline = z.looseObject({ loanId: z.string(), events: z.array(TimelineEvent) });
export type Timeline = z.infer<typeof Timeline>;

export const readTimeline = (ctx: DemoContext, asOrg: string, loanId: string): Promise<Timeline> =>
  ctx.read(`read timeline of ${loanId}`, asOrg, `/v1/loans/${encodeURIComponent(loanId)}/timeline`, Timeline);

export const eventsOf = (t: Timeline, type: string): Record<string, unknown>[] =>
  t.events.filter((e) => e.type === type).map((e) => e.data);

export const lastOf = (t: Timeline, type: string): Record<string, unknown> | undefined =>
  eventsOf(t, type).at(-1);

export const Instalments = z.array(
  z.looseObject({
    number: z.number().int(),
    dueDate: z.string(),
    principalFen: z.number().int(),
    interestFen: z.number().int(),
    totalFen: z.number().int(),
  }),
);
export type Instalments = z.infer<typeof Instalments>;
