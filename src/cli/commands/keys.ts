import { z } from 'zod';
import { defaultUrl, operatorKey } from '../demo/keys.ts';
import { ApiProblem, CommandResponse, httpClient } from '../httpClient.ts';
import { EXIT_FAILED, EXIT_USAGE, parseCommandArgs } from '../output.ts';
import type { CliCommand } from './command.ts';

const IssuedKey = z.looseObject({ keyId: z.string(), apiKey: z.string().optional() });

const help = `usage:
  loan-ledger keys create --org ID [--name NAME --role ROLE]
  loan-ledger keys rotate --org ID --key KEYID
  loan-ledger keys revoke --org ID --key KEYID --reason TEXT

create   registers the organization when --name and --role are given (operator only), then issues
         it a new API key; without them, issues a new key to an existing organization.
rotate   issues a new key and revokes KEYID, atomically.
revoke   revokes KEYID.
The new key is printed once, on stdout; the server keeps only its hash.

roles: bank, guarantor, reguarantor, government_fund, regulator, court, arbitrator, notary,
       enterprise (--org is then its USCC), operator

options:
  --url URL            the ledger (default http://127.0.0.1:$PORT, PORT default 8080)
  --operator-key KEY   the key to act with (default $LOAN_LEDGER_KEY, else the operator key in
                       $DATA_DIR/demo-keys.json)
  --keys FILE          the demo keys file to take the operator key from

exit codes: 0 done; 1 the server refused (its problem code and detail are printed); 2 bad usage.`;

export const keysCommand: CliCommand = {
  summary: 'create, rotate or revoke an organization’s API keys',
  help,
  async run(args) {
    const [action, ...rest] = args;
    const parsed = parseCommandArgs(
      {
        args: rest,
        options: {
          org: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          key: { type: 'string' },
          reason: { type: 'string' },
          url: { type: 'string' },
          'operator-key': { type: 'string' },
          keys: { type: 'string' },
        },
      },
      help,
    );
    if (!parsed) return EXIT_USAGE;
    const { values } = parsed;
    const usage = (why: string) => {
      console.error(`${why}\n\n${help}`);
      return EXIT_USAGE;
    };
    const org = values.org;
    if (!org) return usage('--org is required');
    if (action === 'create' && (values.name === undefined) !== (values.role === undefined))
      return usage('--name and --role go together');
    if ((action === 'rotate' || action === 'revoke') && !values.key) return usage('--key is required');
    if (action === 'revoke' && !values.reason) return usage('--reason is required');
    if (action !== 'create' && action !== 'rotate' && action !== 'revoke')
      return usage(`unknown action: ${action ?? '(none)'}`);

    let key: string;
    try {
      key = operatorKey(values['operator-key'], values.keys);
    } catch (e) {
      return usage(e instanceof Error ? e.message : String(e));
    }
    const client = httpClient(values.url ?? defaultUrl(), key);
    const orgPath = `/v1/organizations/${encodeURIComponent(org)}`;
    try {
      if (action === 'revoke') {
        await client.post(
          `${orgPath}/keys/${encodeURIComponent(values.key!)}/revocations`,
          { reason: values.reason },
          CommandResponse,
        );
        console.log(`revoked key ${values.key} of ${org}`);
        return 0;
      }
      if (action === 'create' && values.name !== undefined) {
        await client.post(
          '/v1/organizations',
          { orgId: org, name: values.name, role: values.role },
          CommandResponse,
        );
        console.error(`registered organization ${org} (${values.role})`);
      }
      const path =
        action === 'create'
          ? `${orgPath}/keys`
          : `${orgPath}/keys/${encodeURIComponent(values.key!)}/rotation`;
      const issued = await client.post(path, {}, IssuedKey);
      if (!issued.apiKey) {
        console.error('the server did not return a key (a replayed request): issue a new one');
        return EXIT_FAILED;
      }
      if (action === 'rotate') console.error(`revoked key ${values.key}`);
      console.error(`new key ${issued.keyId} for ${org} (shown once, keep it safe):`);
      console.log(issued.apiKey);
      return 0;
    } catch (e) {
      if (!(e instanceof ApiProblem)) throw e;
      console.error(
        `error ${e.code}: ${e.problem.detail ?? e.problem.title ?? ''} (${e.method} ${e.path} → ${e.status})`,
      );
      return EXIT_FAILED;
    }
  },
};
