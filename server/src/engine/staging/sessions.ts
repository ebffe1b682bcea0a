import type pg from 'pg';
import { connect, type ConnectOptions } from './connection';
import type { ConnectionTarget } from './connection-target';

/**
 * The connections of one check: opened as they are needed, each ended once, and every one ended by
 * `closeAll` whatever failed — including those still connecting.
 */
export class Sessions {
  private readonly opened: Promise<pg.Client>[] = [];
  private readonly closing = new Map<pg.Client, Promise<void>>();

  constructor(
    private readonly target: ConnectionTarget,
    private readonly options: ConnectOptions,
  ) {}

  open(extra: Pick<ConnectOptions, 'onAuthenticated' | 'pipeline'> = {}): Promise<pg.Client> {
    const connecting = connect(this.target, { ...this.options, ...extra });
    // A failure is reported by whoever awaits the connection; closing must not see it as unhandled.
    connecting.catch(() => {});
    this.opened.push(connecting);
    return connecting;
  }

  /** Ends the connection once it is open; resolves when the server closed it. */
  private close(connecting: Promise<pg.Client>): Promise<void> {
    return connecting.then((client) => this.end(client)).catch(() => {});
  }

  /** Resolves when the server closed every connection. */
  closeAll(): Promise<void> {
    return Promise.all(this.opened.map((connecting) => this.close(connecting))).then(() => {});
  }

  private end(client: pg.Client): Promise<void> {
    let closed = this.closing.get(client);
    if (!closed) {
      closed = client.end().catch(() => {});
      this.closing.set(client, closed);
    }
    return closed;
  }
}
