/**
 * Stand-ins for extensions that hosted platforms ship and the npm PostgreSQL builds do not (pgvector,
 * http, and Supabase's pg_net, pgsodium, pgjwt, supabase_vault), so that real migrations that create
 * them run at all. Each is written in SQL only and carries just what the migrations reference when
 * their DDL is checked; none of them takes a lock or opens a transaction of its own, so a fixed
 * statement locks and commits as it would next to the real extension.
 *
 * `CREATE EXTENSION` finds them through `extension_control_path` (PostgreSQL 18 and later): the
 * migrations' statements run unchanged.
 */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The first major whose `extension_control_path` lets a session load extensions from another directory. */
export const STAND_INS_FROM_MAJOR = 18;

interface StandIn {
  /** Whether `CREATE EXTENSION … WITH SCHEMA` may place it (the real extension's `relocatable`). */
  relocatable: boolean;
  script: string;
}

const btreeOperators = 'OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 vector_cmp(vector, vector)';

/**
 * pgvector's `vector(n)` type, its distance operators and its `hnsw`/`ivfflat` index access methods.
 * The type keeps its values as text and the access methods are btree underneath (a C-less extension
 * cannot build the real ones): `CREATE INDEX … USING hnsw` takes the same SHARE lock either way, a
 * change of dimension goes through a length-coercion function and so rewrites the table, as pgvector's
 * does. ivfflat's `lists` option is not accepted by btree.
 */
const vector = [
  'CREATE TYPE vector',
  "CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textin'",
  "CREATE FUNCTION vector_out(vector) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textout'",
  "CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'varchartypmodin'",
  'CREATE TYPE vector (INPUT = vector_in, OUTPUT = vector_out, TYPMOD_IN = vector_typmod_in, INTERNALLENGTH = VARIABLE, STORAGE = external)',
  "CREATE FUNCTION vector(vector, integer, boolean) RETURNS vector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1'",
  'CREATE CAST (vector AS vector) WITH FUNCTION vector(vector, integer, boolean) AS IMPLICIT',
  "CREATE FUNCTION vector_cmp(vector, vector) RETURNS integer LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'byteacmp'",
  ...(['lt', 'le', 'eq', 'ge', 'gt'] as const).map((name) => `CREATE FUNCTION vector_${name}(vector, vector) RETURNS boolean LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'bytea${name}'`),
  ...([['<', 'lt'], ['<=', 'le'], ['=', 'eq'], ['>=', 'ge'], ['>', 'gt']] as const).map(([operator, name]) => `CREATE OPERATOR ${operator} (LEFTARG = vector, RIGHTARG = vector, FUNCTION = vector_${name})`),
  "CREATE FUNCTION vector_distance(vector, vector) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT 0::double precision'",
  ...['<->', '<=>', '<#>'].map((operator) => `CREATE OPERATOR ${operator} (LEFTARG = vector, RIGHTARG = vector, FUNCTION = vector_distance)`),
  `CREATE OPERATOR CLASS vector_ops DEFAULT FOR TYPE vector USING btree AS ${btreeOperators}`,
  ...['hnsw', 'ivfflat'].flatMap((method) => [
    `CREATE ACCESS METHOD ${method} TYPE INDEX HANDLER bthandler`,
    ...['vector_l2_ops', 'vector_cosine_ops', 'vector_ip_ops'].map((opclass) => `CREATE OPERATOR CLASS ${opclass} FOR TYPE vector USING ${method} AS ${btreeOperators}`),
  ]),
];

const STAND_INS: Readonly<Record<string, StandIn>> = {
  vector: { relocatable: true, script: vector.map((statement) => `${statement};\n`).join('') },
  // http (pgsql-http) and pgjwt: the migrations call their functions only inside function bodies, which PostgreSQL does not resolve at CREATE time.
  http: { relocatable: true, script: '' },
  pgjwt: { relocatable: true, script: '' },
  // pg_net keeps its functions in its own schema `net`.
  pg_net: { relocatable: false, script: 'CREATE SCHEMA IF NOT EXISTS net;\n' },
  pgsodium: { relocatable: true, script: '' },
  supabase_vault: { relocatable: true, script: '' },
};

/** Writes the stand-ins' control and script files; returns the directory to list in `extension_control_path`. */
export async function writeStandIns(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'lockguard-extensions-'));
  const folder = join(root, 'extension');
  await mkdir(folder);
  for (const [name, { relocatable, script }] of Object.entries(STAND_INS)) {
    await writeFile(join(folder, `${name}.control`), `comment = 'Lockguard test stand-in'\ndefault_version = '0.0'\nrelocatable = ${relocatable}\n`);
    await writeFile(join(folder, `${name}--0.0.sql`), script);
  }
  // The server may run as another user (the `postgres` user when the tests run as root).
  for (const path of [root, folder]) await chmod(path, 0o755);
  return root;
}
