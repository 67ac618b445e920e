import { z } from 'zod';
import { LegalRepresentativeInput, LegalRepresentativeRef } from '../pii.ts';
import { Id, ShortText, type CommandOf } from '../schema.ts';
import { IndustryCode, RegionCode, SizeClass, Uscc } from './events.ts';

const registerFields = {
  uscc: Uscc,
  name: ShortText,
  regionCode: RegionCode,
  industry: IndustryCode,
  sizeClass: SizeClass,
};

/** What the decider sees: the legal representative already vaulted (see vaultLegalRepresentative). */
export const enterpriseCommands = {
  RegisterEnterprise: z.strictObject({ ...registerFields, legalRepresentative: LegalRepresentativeRef }),
  ChangeLegalRepresentative: z.strictObject({ changeId: Id, legalRepresentative: LegalRepresentativeRef }),
  EraseLegalRepresentative: z.strictObject({ reason: ShortText }),
};

/** What the HTTP body carries: clear values that stop at the vault and never reach an event. */
export const enterpriseRequests = {
  RegisterEnterprise: z.strictObject({ ...registerFields, legalRepresentative: LegalRepresentativeInput }),
  ChangeLegalRepresentative: z.strictObject({ changeId: Id, legalRepresentative: LegalRepresentativeInput }),
};

export type EnterpriseCommand = CommandOf<typeof enterpriseCommands>;
