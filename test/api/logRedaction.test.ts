import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/api/logging.ts';

/**
 * The second line of defence of src/api/logging.ts: requests are logged as method, url and id only, and
 * should code anywhere log a key, a body or a legal representative, the configured redaction replaces it.
 * Exercised on a real pino logger with the ledger's options, for every redacted path.
 */
const API_KEY = 'll_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const ID_NUMBER = '430102198001011233';
const NAME = '刘星辰';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino(loggerOptions({ level: 'info' }), sink);
  return {
    logger,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('log redaction', () => {
  it('a request is logged as method, url and id: no headers, no body', () => {
    const { logger, lines, raw } = capture();
    logger.info(
      {
        req: {
          id: 'req-1',
          method: 'POST',
          url: '/v1/enterprises',
          headers: { authorization: `Bearer ${API_KEY}`, 'x-api-key': API_KEY },
          body: { legalRepresentative: { name: NAME, idNumber: ID_NUMBER } },
        },
      },
      'incoming request',
    );
    expect(lines()[0]!.req).toEqual({ id: 'req-1', method: 'POST', url: '/v1/enterprises' });
    for (const secret of [API_KEY, ID_NUMBER, NAME]) expect(raw()).not.toContain(secret);
  });

  it('keys, bodies and legal representatives logged by mistake are replaced, at the top and one level down', () => {
    const { logger, lines, raw } = capture();
    logger.info({
      headers: { authorization: `Bearer ${API_KEY}`, 'x-api-key': API_KEY },
      apiKey: API_KEY,
      issued: { apiKey: API_KEY, keyId: 'key_1' },
      body: { anything: NAME },
      reply: { body: `{"idNumber":"${ID_NUMBER}"}` },
      legalRepresentative: { name: NAME, idNumber: ID_NUMBER },
      enterprise: { uscc: '91430100MA4L00011K', legalRepresentative: { name: NAME }, idNumber: ID_NUMBER },
    });
    const [line] = lines();
    expect(line).toMatchObject({
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
      apiKey: '[redacted]',
      issued: { apiKey: '[redacted]', keyId: 'key_1' },
      body: '[redacted]',
      reply: { body: '[redacted]' },
      legalRepresentative: '[redacted]',
      enterprise: { uscc: '91430100MA4L00011K', legalRepresentative: '[redacted]', idNumber: '[redacted]' },
    });
    for (const secret of [API_KEY, ID_NUMBER, NAME]) expect(raw()).not.toContain(secret);
  });
});
