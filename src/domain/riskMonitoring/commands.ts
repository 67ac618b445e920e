import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { Id, ShortText, type CommandOf } from '../schema.ts';
import { Signal } from './events.ts';

export const riskMonitoringCommands = {
  RaiseWarning: z.strictObject({ warningId: Id, uscc: Uscc, signal: Signal }),
  ResolveWarning: z.strictObject({ warningId: Id, note: ShortText }),
};

export type RiskMonitoringCommand = CommandOf<typeof riskMonitoringCommands>;
