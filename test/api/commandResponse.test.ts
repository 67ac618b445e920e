import fc from 'fast-check';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import {
  CommandResponseSchema,
  commandRouteSerializer,
  writeCommandResponse,
} from '../../src/api/schemas.ts';
import { ProblemSchema } from '../../src/api/problem.ts';

const route = { schema: CommandResponseSchema, method: 'POST', url: '/v1/x', httpStatus: '201' };
const zodWriter = serializerCompiler(route);

describe('writeCommandResponse', () => {
  it('writes what zod would: the schema fields in order, extra fields dropped', () => {
    const event = fc.record({
      id: fc.string(),
      type: fc.string(),
      revision: fc.integer(),
      position: fc.integer(),
      // what a careless caller might leave on an event: it must not reach the client
      data: fc.option(fc.object(), { nil: undefined }),
    });
    const response = fc.record({
      stream: fc.string(),
      streamRevision: fc.integer(),
      events: fc.array(event, { maxLength: 5 }),
      extra: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(response, (r) => {
        expect(writeCommandResponse(r)).toBe(zodWriter(r));
      }),
      { numRuns: 500 },
    );
  });

  it('is used for the 201 only: a problem still goes through zod', () => {
    expect(commandRouteSerializer(route)).toBe(writeCommandResponse);
    const problem = commandRouteSerializer({ ...route, schema: ProblemSchema, httpStatus: '422' });
    expect(() => problem({ title: 42 })).toThrow();
  });
});
