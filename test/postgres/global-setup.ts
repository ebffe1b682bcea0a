import type { TestProject } from 'vitest/node';
import { startPostgres } from './pg-server';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** One PostgreSQL cluster for the whole `postgres` project; tests read its URL with `inject('pgUrl')`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
