import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BEGIN,
  DOC_FILE,
  END,
  EXAMPLE_ORIGIN,
  bundleInDoc,
  exampleSection,
  makeExample,
} from '../../../src/evidence/bundle/example.ts';
import { verifyBundleOffline } from '../../../src/evidence/bundle/verify.ts';

/** docs/evidence-format.md §6 is generated, current, and verifies. */
describe('the worked example in docs/evidence-format.md', () => {
  const doc = readFileSync(DOC_FILE, 'utf8');

  it('is exactly what src/evidence/bundle/example.ts generates (rerun it with --write if this fails)', async () => {
    const section = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
    expect(section).toBe(await exampleSection());
  });

  it('verifies with the pinned example key and origin, and fails with a changed event byte', async () => {
    const bundle = bundleInDoc(doc) as ReturnType<typeof structuredClone> & {
      events: { canonical: string }[];
    };
    const { verifierKey } = await makeExample();
    const r = verifyBundleOffline(bundle, { trustedKeys: [verifierKey], expectedOrigin: EXAMPLE_ORIGIN });
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    const tampered = structuredClone(bundle);
    const bytes = Buffer.from(tampered.events[0]!.canonical, 'base64');
    tampered.events[0]!.canonical = Buffer.from(
      bytes.toString('utf8').replace('100000000', '900000000'),
    ).toString('base64');
    const bad = verifyBundleOffline(tampered, { trustedKeys: [verifierKey] });
    expect(bad.checks.find((c) => c.status === 'fail')?.check).toBe('events.inclusion');
  });
});
