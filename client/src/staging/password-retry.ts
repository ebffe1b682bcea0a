// The password flow of a staging check, apart from VS Code so it is unit-tested: no vscode import.
import type { DatabaseUrl } from './connection-url';
import type { CheckMigrationResult } from '../../../shared/protocol';

/** Where passwords are kept (VS Code's SecretStorage) and how the user is asked for one. */
export interface PasswordSource {
  get(database: DatabaseUrl): Promise<string | undefined>;
  forget(database: DatabaseUrl): Thenable<void>;
  /** Asks the user and stores the answer; undefined when they dismiss the prompt. */
  ask(database: DatabaseUrl, reason: string): Promise<string | undefined>;
}

/**
 * Sends the check with the stored password, else none (the server then tries PGPASSWORD, ~/.pgpass
 * and the service file, as libpq does). When the server says the password is missing or wrong
 * (SQLSTATE 28P01), forgets it and asks once; a second wrong one is forgotten too.
 */
export async function withStoredPassword(
  staging: DatabaseUrl,
  passwords: PasswordSource,
  send: (password: string | undefined) => Promise<CheckMigrationResult>,
  interactive: boolean,
): Promise<CheckMigrationResult> {
  const first = await send(await passwords.get(staging));
  const reason = passwordProblem(first);
  if (!interactive || !reason) return first;
  await passwords.forget(staging);
  const password = await passwords.ask(staging, reason === 'wrong-password' ? 'The password was wrong (SQLSTATE 28P01); enter it again.' : 'The staging database asks for a password.');
  if (password === undefined) return first;
  const second = await send(password);
  if (passwordProblem(second) === 'wrong-password') await passwords.forget(staging);
  return second;
}

function passwordProblem(result: CheckMigrationResult): 'wrong-password' | 'no-password' | undefined {
  if (result.kind !== 'problem' || result.problem.kind !== 'connection') return undefined;
  const { reason } = result.problem;
  return reason === 'wrong-password' || reason === 'no-password' ? reason : undefined;
}
