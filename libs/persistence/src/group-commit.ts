import DataLoader from 'dataloader';
import type { Registry } from 'prom-client';
import { histogramOn, metricsRegistry } from '@fluxnote/telemetry';

/** The name the dashboard and the bench read. */
export const groupCommitMetricName = 'fluxnote_group_commit_items';

export interface GroupCommitOptions {
  /** What the statement writes, as `fluxnote_group_commit_items{statement}` names it. */
  statement: string;
  /** The most items one statement takes (default 64). */
  maxBatch?: number;
  /** How many statements may be in flight at once (default 1): the rest gather meanwhile. */
  inFlight?: number;
  registry?: Registry;
}

/**
 * Gathers concurrent writes into one statement and one commit. A write goes out at once (on the
 * next turn of the event loop, with whatever else arrived in the same turn) when no statement is
 * in flight; while one is, the writes that arrive gather and leave together when it returns. So
 * a lone write waits for nothing, and under load each commit carries what arrived during the
 * last one's round trip: the database's work per write falls as the load rises.
 *
 * `write` takes the items in order and answers each in the same order; it must be atomic (one
 * statement, or one transaction): all of its items land or none does. A batch that fails as a
 * whole is written again item by item, so an error reaches only the caller whose item caused it
 * (a unique key taken, a deadlock with another batch) and the others land as if alone.
 */
export function groupCommit<I, O>(
  write: (items: readonly I[]) => Promise<readonly O[]>,
  options: GroupCommitOptions,
): (item: I) => Promise<O> {
  const inFlight = options.inFlight ?? 1;
  const items = histogramOn(options.registry ?? metricsRegistry, {
    name: groupCommitMetricName,
    help: 'Writes carried by each statement that gathers concurrent writes into one commit',
    labelNames: ['statement'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
  }).labels(options.statement);
  // Statements in flight or about to leave; the batches past `inFlight` wait their turn.
  let busy = 0;
  const waiting: (() => void)[] = [];
  const done = () => {
    const next = waiting.shift();
    if (next) {
      next();
    } else {
      busy -= 1;
    }
  };

  const writeAlone = async (item: I): Promise<O | Error> => {
    try {
      const [answer] = await write([item]);
      return answer;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  const loader = new DataLoader<I, O>(
    async (batch) => {
      items.observe(batch.length);
      try {
        return await write(batch);
      } catch (error) {
        if (batch.length === 1) {
          throw error;
        }
        return Promise.all(batch.map(writeAlone));
      } finally {
        done();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch ?? 64,
      batchScheduleFn: (dispatch) => {
        if (busy < inFlight) {
          busy += 1;
          setImmediate(dispatch);
        } else {
          waiting.push(dispatch);
        }
      },
    },
  );
  return (item) => loader.load(item);
}
