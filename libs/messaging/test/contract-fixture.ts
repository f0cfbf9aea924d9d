import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { defineEvent, type EventDefinition } from '@fluxnote/contracts';
import { openServiceDatabase } from '@fluxnote/persistence';
import { EventRouter } from '../src/core/event-router';
import { messagingTablesSql } from '../src/core/outbox';

export const CONTRACT_SCHEMA = 'contract';

class ContractTables1700000000000 implements MigrationInterface {
  name = 'ContractTables1700000000000';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql(CONTRACT_SCHEMA)) {
      await q.query(sql);
    }
    await q.query(`CREATE TABLE contract.effects (
      id bigserial PRIMARY KEY, group_id text NOT NULL, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contract.effects');
  }
}

export function openContractDatabase(url: string): Promise<DataSource> {
  return openServiceDatabase({
    url,
    schema: CONTRACT_SCHEMA,
    entities: [],
    migrations: [ContractTables1700000000000],
    poolSize: 8,
  });
}

export const contractPayload = z.object({ seq: z.number().int(), fail: z.boolean().optional() });

export function contractEvent(topic: string): EventDefinition<typeof contractPayload> {
  return defineEvent('contract.thing.happened.v1', topic, contractPayload);
}

/** A consumer whose effect is one row per handled event; a payload with `fail` always throws. */
export function contractRouter(
  dataSource: DataSource,
  group: string,
  topic: string,
  delayMs = 0,
  onHandled?: () => void,
): EventRouter {
  return new EventRouter(group, dataSource, CONTRACT_SCHEMA).on(
    contractEvent(topic),
    async (payload, { manager, envelope }) => {
      if (delayMs > 0) {
        await new Promise((r) => setTimeout(r, delayMs));
      }
      if (payload.fail) {
        throw new Error(`event ${payload.seq} cannot be handled`);
      }
      await manager.query(
        'INSERT INTO contract.effects (group_id, event_id, key, seq) VALUES ($1, $2, $3, $4)',
        [group, envelope.id, envelope.subject, payload.seq],
      );
      onHandled?.();
    },
  );
}
