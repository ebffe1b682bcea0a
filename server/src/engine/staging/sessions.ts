import type pg from 'pg';
import { connect, type ConnectOptions } from './connection';
import type { ConnectionTarget } from './connection-target';

/**
 * The connections of one check: opened as they are needed, each ended once, and every one ended by
 * `closeAll` whatever failed — including those still connecting.
 */
export class Sessions {
  private readonly opened: Promise<pg.Client>[] = [];
  private readonly closing = new Map<Promise<pg.Client>, Promise<void>>();

  constructor(
    private readonly target: ConnectionTarget,
    private readonly options: ConnectOptions,
  ) {}

  open(): Promise<pg.Client> {
    const connecting = connect(this.target, this.options);
    // A failure is reported by whoever awaits the connection; closing must not see it as unhandled.
    connecting.catch(() => {});
    this.opened.push(connecting);
    return connecting;
  }

  close(connecting: Promise<pg.Client>): Promise<void> {
    let closed = this.closing.get(connecting);
    if (!closed) {
      closed = connecting.then((client) => client.end()).catch(() => {});
      this.closing.set(connecting, closed);
    }
    return closed;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.map((connecting) => this.close(connecting)));
  }
}
