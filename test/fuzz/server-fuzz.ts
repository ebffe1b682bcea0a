import { performance } from 'node:perf_hooks';
import { LspTestClient } from '../helpers/lsp-client';
import type { EngineFuzzResult, FuzzProblem } from './engine-fuzz';
import type { FuzzInput } from './inputs';
import type { Random } from '../helpers/random';

export type ServerFuzzResult = EngineFuzzResult & { requests: number };

interface Position {
  line: number;
  character: number;
}

/**
 * Drives the real language server over stdio: opens every input, asks for hovers and code actions
 * at random places (some past the end of the text), edits it at random and closes it. Every request
 * and every analysis must answer within `budgetMs`, and the server must neither log an internal
 * error nor exit.
 */
export async function fuzzServer(inputs: Iterable<FuzzInput>, random: Random, budgetMs: number): Promise<ServerFuzzResult> {
  const client = LspTestClient.start(['bin/lockguard.js', 'lsp', '--stdio']);
  const result: ServerFuzzResult = { inputs: 0, megabytes: 0, slowestMs: 0, slowest: '', requests: 0, problems: [] };
  const timed = async <T>(input: FuzzInput, what: string, task: () => Promise<T>): Promise<T | undefined> => {
    const started = performance.now();
    try {
      return await task();
    } catch (error) {
      result.problems.push({ input: input.name, problem: `${what}: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}` });
      return undefined;
    } finally {
      const ms = performance.now() - started;
      if (ms > result.slowestMs) Object.assign(result, { slowestMs: ms, slowest: `${what} on ${input.name}` });
      if (ms > budgetMs) result.problems.push({ input: input.name, problem: `${what} took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)` });
    }
  };
  try {
    await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } } });
    await client.connection.sendNotification('initialized', {});
    let id = 0;
    for (const input of inputs) {
      result.inputs++;
      result.megabytes += input.text.length / 1024 / 1024;
      const uri = `file:///fuzz/${id++}.sql`;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: input.text } });
      await timed(input, 'diagnostics after didOpen', () => client.diagnostics(uri, (params) => params.version === 1, budgetMs + 1_000));
      const ask = async () => {
        for (const method of ['textDocument/hover', 'textDocument/codeAction', 'textDocument/codeAction']) {
          result.requests++;
          const position = randomPosition(input.text, random);
          const params =
            method === 'textDocument/hover'
              ? { textDocument: { uri }, position }
              : { textDocument: { uri }, range: { start: position, end: randomPosition(input.text, random) }, context: { diagnostics: [], only: random.int(2) === 0 ? undefined : ['source.fixAll.lockguard'] } };
          await timed(input, method, () => client.connection.sendRequest(method, params));
        }
      };
      await ask();
      const start = randomPosition(input.text, random);
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start, end: randomPosition(input.text, random) }, text: random.pick(["'", '$$', ';', '(', '\0', 'CREATE INDEX i ON t (a);', '\ud83d', '\n']) }],
      });
      // Requests right after a change analyse the new text themselves, before the debounced analysis runs.
      await ask();
      await timed(input, 'diagnostics after didChange', () => client.diagnostics(uri, (params) => params.version === 2, budgetMs + 1_000));
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      if (client.process.exitCode !== null) {
        result.problems.push({ input: input.name, problem: `the server exited with code ${client.process.exitCode}` });
        break;
      }
    }
  } finally {
    const code = await client.stop();
    if (code !== 0) result.problems.push({ input: 'shutdown', problem: `the server exited with code ${code}` });
    result.problems.push(...errorsLogged(client));
  }
  return result;
}

/** Errors the server logged (the engine threw, a rule failed) or printed (an uncaught exception): crashes the fuzzer found. */
function errorsLogged(client: LspTestClient): FuzzProblem[] {
  const logged = client.notifications.flatMap(({ method, params }) => {
    const message = params as { type: number; message: string };
    return method === 'window/logMessage' && message.type === 1 ? [{ input: 'server log', problem: message.message.slice(0, 1_000) }] : [];
  });
  const stderr = client.stderr.join('').trim();
  return stderr ? [...logged, { input: 'server stderr', problem: stderr.slice(0, 2_000) }] : logged;
}

/** A position in the text, sometimes past the end of a line or of the document (clients can be wrong). */
function randomPosition(text: string, random: Random): Position {
  const lines = text.split('\n');
  const line = random.int(lines.length + 1);
  return { line, character: random.int((lines[line]?.length ?? 0) + 2) };
}
