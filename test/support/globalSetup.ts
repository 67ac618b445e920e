import type { TestProject } from 'vitest/node';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgresServer.ts';

/**
 * Starts one throwaway PostgreSQL server for the whole run unless TEST_DATABASE_URL points at one.
 * Tests read it with `inject('postgresUrl')`. Without PostgreSQL binaries the run fails loudly:
 * the PostgreSQL adapter is a real part and must be tested (.ci/run installs the package).
 */
let server: PostgresServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (!postgresAvailable()) {
      throw new Error(
        'PostgreSQL is needed by the tests: apt-get install postgresql, or set TEST_DATABASE_URL',
      );
    }
    server = await startPostgres();
    url = server.url;
  }
  project.provide('postgresUrl', url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
