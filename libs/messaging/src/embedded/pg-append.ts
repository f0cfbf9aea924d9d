// The write side of the embedded bus: appending events to their partitions, and the
// notification that wakes the consumers of the partitions that got them.
import { PreparedStatement, type StatementTarget } from '@fluxnote/persistence';
import type { OutgoingEvent } from '../core/transport';
import { BUS_CHANNEL } from './bus-schema';

// A publish: the partitions it writes are locked in a fixed order (so two publishers never
// deadlock) and advanced by their number of events; each event takes the next offset of its
// partition in the order given. A partition that does not exist leaves an offset NULL and
// fails the whole statement.
const appendBatch = new PreparedStatement(
  `WITH batch AS (
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::jsonb[])
       WITH ORDINALITY AS b(topic, partition, key, event_id, envelope, n)
   ), counts AS (
     SELECT topic, partition, count(*) AS k FROM batch GROUP BY topic, partition
   ), locked AS MATERIALIZED (
     SELECT p.topic, p.partition FROM bus.partitions p JOIN counts c USING (topic, partition)
      ORDER BY p.topic, p.partition FOR UPDATE OF p
   ), advanced AS (
     UPDATE bus.partitions p SET next_offset = p.next_offset + c.k
       FROM locked l JOIN counts c USING (topic, partition)
      WHERE p.topic = l.topic AND p.partition = l.partition
     RETURNING p.topic, p.partition, p.next_offset - c.k AS first
   ), appended AS (
     INSERT INTO bus.events (topic, partition, "offset", key, event_id, envelope)
     SELECT b.topic, b.partition,
            a.first + row_number() OVER (PARTITION BY b.topic, b.partition ORDER BY b.n) - 1,
            b.key, b.event_id, b.envelope
       FROM batch b LEFT JOIN advanced a USING (topic, partition)
   )
   SELECT pg_notify($6, m) FROM unnest($7::text[]) m`,
);
/**
 * Appends events to their partitions (`partitions[i]` is event i's) in one statement, so in one transaction: the partitions
 * advance, the events are appended in order, and the consumers are notified together or not at
 * all (on `on`'s transaction when it has one). One notification per topic names its
 * partitions: a consumer wakes only the partitions that have news.
 */
export async function appendEvents(
  on: StatementTarget,
  events: OutgoingEvent[],
  partitions: number[],
): Promise<void> {
  const woken = new Map<string, Set<number>>();
  events.forEach((event, i) => {
    woken.set(event.topic, (woken.get(event.topic) ?? new Set()).add(partitions[i]));
  });
  await appendBatch.run(on, [
    events.map((e) => e.topic),
    partitions,
    events.map((e) => e.key),
    events.map((e) => e.envelope.id),
    events.map((e) => JSON.stringify(e.envelope)),
    BUS_CHANNEL,
    [...woken].map(([topic, parts]) => wakeMessage(topic, [...parts])),
  ]);
}

/** The bus channel's payload: the topic, a newline, then the partitions that got events. */
export function wakeMessage(topic: string, partitions: number[]): string {
  return `${topic}\n${partitions.join(',')}`;
}

export function parseWakeMessage(payload: string): { topic: string; partitions: number[] } {
  const split = payload.lastIndexOf('\n');
  if (split < 0) {
    return { topic: payload, partitions: [] };
  }
  return {
    topic: payload.slice(0, split),
    partitions: payload
      .slice(split + 1)
      .split(',')
      .filter((part) => part !== '')
      .map(Number)
      .filter((n) => Number.isInteger(n)),
  };
}
