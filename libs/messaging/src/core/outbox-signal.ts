import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/**
 * Wakes this process's outbox relay when a transaction that wrote the outbox commits. In
 * process, because a NOTIFY in every business transaction would serialise their commits
 * (Postgres takes a global lock to queue notifications at commit): the relay of the
 * process that wrote an event publishes it; a row left by a process that died is found by
 * the relays' idle poll.
 */
const relays = new Map<string, Set<() => void>>();

/** Calls `wake` after each commit that wrote `schema`'s outbox; returns the unsubscribe. */
export function onOutboxCommit(schema: string, wake: () => void): () => void {
  const set = relays.get(schema) ?? new Set();
  relays.set(schema, set);
  set.add(wake);
  return () => set.delete(wake);
}

function signal(schema: string): void {
  for (const wake of relays.get(schema) ?? []) {
    wake();
  }
}

/** Where a transaction's query runner remembers which outboxes it wrote. */
const WRITTEN = 'fluxnote.outboxWritten';

class OutboxCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    // also called when a savepoint is released: only the outermost commit counts
    if (!event.queryRunner.isTransactionActive) {
      this.take(event).forEach(signal);
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) {
      this.take(event);
    }
  }

  private take(event: TransactionCommitEvent | TransactionRollbackEvent): Set<string> {
    const data = event.queryRunner.data as Record<string, Set<string> | undefined>;
    const written = data[WRITTEN] ?? new Set<string>();
    delete data[WRITTEN];
    return written;
  }
}

const hooked = new WeakSet<DataSource>();

/** Records that `manager` wrote `schema`'s outbox: the relay wakes once that is committed. */
export function outboxWritten(manager: EntityManager, schema: string): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    // not in a transaction: the row is already committed
    signal(schema);
    return;
  }
  const dataSource = manager.connection;
  if (!hooked.has(dataSource)) {
    hooked.add(dataSource);
    dataSource.subscribers.push(new OutboxCommitSubscriber());
  }
  const data = runner.data as Record<string, Set<string> | undefined>;
  (data[WRITTEN] ??= new Set()).add(schema);
}
