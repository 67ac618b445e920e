import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiProblem, CommandResponse, httpClient, type HttpClient } from '../httpClient.ts';
import type { KeysByOrg } from './keys.ts';

/** A step could not run because the server does not mount its route: the rest of its phase is skipped. */
export class RouteMissing extends Error {
  constructor(
    readonly step: string,
    readonly route: string,
  ) {
    super(`step "${step}" needs ${route}, which this server does not mount`);
  }
}

/** A step failed: the problem document and the step's name, printed by the demo command. */
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export interface DemoLog {
  (line: string): void;
}

const OpenApi = z.looseObject({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) });

/**
 * What every phase of the scenario shares: a client per organization, the routes the server mounts
 * (from its OpenAPI document, so a missing route is reported by name, not as a bare 404), the run tag
 * that makes ids and Idempotency-Keys unique to this run, and the record of steps done and skipped.
 */
export class DemoContext {
  readonly steps: string[] = [];
  readonly skipped: { phase: string; reason: string }[] = [];
  private readonly clients = new Map<string, HttpClient>();

  private constructor(
    readonly url: string,
    private readonly keys: KeysByOrg,
    private readonly mounted: Set<string>,
    readonly runTag: string,
    readonly log: DemoLog,
  ) {}

  static async open(url: string, keys: KeysByOrg, runTag: string, log: DemoLog): Promise<DemoContext> {
    const doc = await httpClient(url).get('/docs/openapi.json', OpenApi);
    const mounted = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths))
      for (const method of Object.keys(ops)) mounted.add(`${method.toUpperCase()} ${path}`);
    return new DemoContext(url, keys, mounted, runTag, log);
  }

  /** `POST /v1/loans/{loanId}/choice` style: as the OpenAPI document names it. */
  has(route: string): boolean {
    return this.mounted.has(route);
  }

  as(orgId: string): HttpClient {
    let c = this.clients.get(orgId);
    if (!c) {
      const k = this.keys.get(orgId);
      if (!k) throw new Error(`no API key for ${orgId} in the demo keys`);
      c = httpClient(this.url, k.apiKey);
      this.clients.set(orgId, c);
    }
    return c;
  }

  id(name: string): string {
    return `demo-${this.runTag}-${name}`;
  }

  /**
   * One command over HTTP as `orgId`. `route` is the OpenAPI template, `path` the concrete URL. The
   * Idempotency-Key is derived from the run and the step so a re-sent step cannot double-book.
   */
  async command(
    step: string,
    orgId: string,
    route: string,
    path: string,
    body: unknown,
  ): Promise<CommandResponse> {
    if (!this.has(route)) throw new RouteMissing(step, route);
    try {
      // Header values are ASCII: the step name (often Chinese) goes in as a digest.
      const key = `${this.runTag}:${createHash('sha256').update(step).digest('hex').slice(0, 32)}`;
      const res = await this.as(orgId).post(path, body, CommandResponse, key);
      this.steps.push(step);
      this.log(`  ✓ ${step}  (${res.events.map((e) => e.type).join(', ') || 'no new events'})`);
      return res;
    } catch (e) {
      throw new StepFailed(step, e);
    }
  }

  async read<T>(step: string, orgId: string, path: string, schema: z.ZodType<T>): Promise<T> {
    try {
      return await this.as(orgId).get(path, schema);
    } catch (e) {
      throw new StepFailed(step, e);
    }
  }

  /** Runs a phase; a missing route skips the rest of it (with a printed note), anything else propagates. */
  async phase(name: string, run: () => Promise<void>): Promise<void> {
    this.log(`\n${name}`);
    try {
      await run();
    } catch (e) {
      if (!(e instanceof RouteMissing)) throw e;
      const reason = `${e.route} is not mounted by the server (step "${e.step}" and the rest of this phase skipped)`;
      this.skipped.push({ phase: name, reason });
      this.log(`  ! SKIPPED: ${reason}`);
    }
  }
}

export const isApiProblem = (e: unknown): e is ApiProblem => e instanceof ApiProblem;
