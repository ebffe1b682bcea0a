/**
 * Cancels whatever query a session is running, as libpq's PQcancel does: a CancelRequest with the
 * session's process id and secret key, on a connection of its own. It needs no login and no idle
 * session, so it works while every session of the check is busy — or waiting on a lock.
 */
import { connect as connectSocket } from 'node:net';
import type pg from 'pg';
import type { ConnectionTarget } from './connection-target';

/** The protocol's CancelRequest code (1234 in the high half, 5678 in the low). */
const CANCEL_REQUEST_CODE = 80_877_102;
const CANCEL_TIMEOUT_MS = 2_000;

/** Resolves once the server took the request (or could not be reached); a session that is idle ignores it. */
export function cancelRunningQuery(target: ConnectionTarget, client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
  if (processID === null || secretKey === null) return Promise.resolve();
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  request.writeInt32BE(processID, 8);
  request.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    // A host starting with / is the directory of the server's Unix socket, as in libpq.
    const socket = target.host.startsWith('/') ? connectSocket(`${target.host}/.s.PGSQL.${target.port}`) : connectSocket(target.port, target.host);
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(CANCEL_TIMEOUT_MS, done);
    socket.once('connect', () => socket.end(request));
    socket.once('error', done);
    socket.once('close', done);
  });
}
