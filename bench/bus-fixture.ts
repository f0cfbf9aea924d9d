import type { MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { defineEvent } from '@fluxnote/contracts';
import { messagingTablesSql } from '@fluxnote/messaging';

export class BenchTables implements MigrationInterface {
  name = 'BenchTables1700000000002';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('bench')) {
      await q.query(sql);
    }
    await q.query(
      'CREATE TABLE bench.raw (id bigserial PRIMARY KEY, n int NOT NULL, at timestamptz NOT NULL DEFAULT now())',
    );
  }
  async down(): Promise<void> {}
}

export const benchEvent = defineEvent(
  'bench.event.sent.v1',
  'fluxnote.bench.v1',
  z.object({ run: z.string(), sentAt: z.number() }),
);
