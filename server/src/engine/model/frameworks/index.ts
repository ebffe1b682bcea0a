import { atlas } from './atlas';
import { authelia } from './authelia';
import { dbmate } from './dbmate';
import { diesel } from './diesel';
import { drizzle } from './drizzle';
import { flyway } from './flyway';
import type { Framework } from './framework';
import { golangMigrate } from './golang-migrate';
import { goose } from './goose';
import { graphileMigrate } from './graphile-migrate';
import { liquibase } from './liquibase';
import { nodePgMigrate } from './node-pg-migrate';
import { pop } from './pop';
import { postgresMigrations } from './postgres-migrations';
import { prisma } from './prisma';
import { sqitch } from './sqitch';
import { sqlMigrate } from './sql-migrate';
import { supabase } from './supabase';

/**
 * The frameworks Lockguard recognises, in the order they are tried: markers inside the file first
 * (they are unambiguous), then layouts and file names, most specific first.
 */
export const FRAMEWORKS: readonly Framework[] = [
  goose,
  sqlMigrate,
  dbmate,
  liquibase,
  nodePgMigrate,
  graphileMigrate,
  drizzle,
  atlas,
  sqitch,
  authelia,
  flyway,
  diesel,
  prisma,
  supabase,
  pop,
  // Late: a file without its marker is the library's only by its folder, which it lists and reads.
  postgresMigrations,
  golangMigrate,
];
