import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { SupportChannel, SupportPlan } from '../sla/sla-clock';
import type { TicketCategory } from './triage';
import { priorityClassName, type PriorityClassName } from './intake.rules';

/** An email attachment, kept as a reference: the file itself is not stored. */
export interface AttachmentRef {
  filename: string;
  contentType: string;
  size: number;
  checksum: string;
}

/** What an inbound email adds to a message: its Message-ID (threading, duplicates) and attachments. */
export interface EmailMeta {
  messageId: string | null;
  attachments: AttachmentRef[];
}

export interface TicketMessage {
  id: string;
  /** Its place in the ticket's live stream. */
  seq: number;
  author: 'user' | 'agent';
  body: string;
  createdAt: Date;
  attachments: AttachmentRef[];
}

export interface Ticket {
  id: string;
  userId: string;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  priorityClass: PriorityClassName;
  tags: string[];
  status: 'open' | 'answered' | 'closed';
  jobIds: string[];
  openedAt: Date;
  dueAt: Date;
  firstResponseAt: Date | null;
  /** The agent holding it, if any. */
  claimedBy: string | null;
  /** A suspension appeal's ticket: the suspension it appeals. */
  suspensionId: string | null;
  messages: TicketMessage[];
}

export interface NewTicket {
  id: string;
  userId: string;
  brand: string;
  plan: SupportPlan;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  /** `PriorityClass` of `intake.rules.ts`. */
  priorityClass: number;
  tags: string[];
  jobIds: string[];
  openedAt: Date;
  dueAt: Date;
  /** Only senior agents take it (security, suspension appeals). */
  forSeniors: boolean;
  suspensionId: string | null;
  /** The bank dispute it answers (one ticket per dispute). */
  disputeId?: string | null;
  /** The customer's first message. */
  body: string;
  /** When it came by email. */
  email?: EmailMeta;
}

export interface TicketRow {
  id: string;
  user_id: string;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  priority_class: number;
  tags: string[];
  status: Ticket['status'];
  job_ids: string[];
  opened_at: Date;
  due_at: Date;
  first_response_at: Date | null;
  claimed_by: string | null;
  brand: string;
  plan: SupportPlan;
  for_seniors: boolean;
  suspension_id: string | null;
}

/** NOTIFY channel: a ticket's id when a message is added to it. */
export const TICKET_MESSAGES_CHANNEL = 'support_ticket_messages';

export function toTicket(row: TicketRow, messages: TicketMessage[] = []): Ticket {
  return {
    id: row.id,
    userId: row.user_id,
    channel: row.channel,
    subject: row.subject,
    category: row.category,
    priorityClass: priorityClassName(row.priority_class),
    tags: row.tags,
    status: row.status,
    jobIds: row.job_ids,
    openedAt: row.opened_at,
    dueAt: row.due_at,
    firstResponseAt: row.first_response_at,
    claimedBy: row.claimed_by,
    suspensionId: row.suspension_id,
    messages,
  };
}

/**
 * The rows of `support.tickets` and `support.ticket_messages`: reads and writes only. What a
 * new ticket is (its class, tags, who may take it) is intake.rules.ts; tickets.service.ts
 * asks it and writes the answer here.
 */
export const ticketRows = {
  /** Writes the ticket; false when it conflicts (one ticket per suspension and per dispute). */
  async insert(manager: EntityManager, t: Omit<NewTicket, 'body' | 'email'>): Promise<boolean> {
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO support.tickets (id, user_id, brand, plan, channel, subject, category, priority_class,
         tags, status, job_ids, opened_at, due_at, for_seniors, suspension_id, dispute_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $13, $14, $15)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        t.id,
        t.userId,
        t.brand,
        t.plan,
        t.channel,
        t.subject,
        t.category,
        t.priorityClass,
        t.tags,
        t.jobIds,
        t.openedAt,
        t.dueAt,
        t.forSeniors,
        t.suspensionId,
        t.disputeId ?? null,
      ],
    );
    return inserted.length > 0;
  },

  async byId(sql: Sql, ticketId: string): Promise<TicketRow | undefined> {
    const [row] = await sql.query<TicketRow[]>(`SELECT * FROM support.tickets WHERE id = $1`, [
      ticketId,
    ]);
    return row;
  },

  /** The ticket, locked until the transaction ends. */
  async lock(manager: EntityManager, ticketId: string): Promise<TicketRow | undefined> {
    const [row] = await manager.query<TicketRow[]>(
      `SELECT * FROM support.tickets WHERE id = $1 FOR UPDATE`,
      [ticketId],
    );
    return row;
  },

  /** Who may see the ticket's stream, and where the stream is now. */
  async visibility(
    sql: Sql,
    ticketId: string,
  ): Promise<{ userId: string; forSeniors: boolean; lastSeq: number } | undefined> {
    const [row] = await sql.query<
      { user_id: string; for_seniors: boolean; last_seq: string | null }[]
    >(
      `SELECT t.user_id, t.for_seniors,
              (SELECT max(seq) FROM support.ticket_messages m WHERE m.ticket_id = t.id) AS last_seq
         FROM support.tickets t WHERE t.id = $1`,
      [ticketId],
    );
    return (
      row && {
        userId: row.user_id,
        forSeniors: row.for_seniors,
        lastSeq: Number(row.last_seq ?? 0),
      }
    );
  },

  /** The tickets citing the job, oldest first. */
  async citing(
    sql: Sql,
    jobId: string,
  ): Promise<{ id: string; forSeniors: boolean; userId: string }[]> {
    const rows = await sql.query<{ id: string; for_seniors: boolean; user_id: string }[]>(
      `SELECT id, for_seniors, user_id FROM support.tickets WHERE $1 = ANY (job_ids) ORDER BY opened_at`,
      [jobId],
    );
    return rows.map((r) => ({ id: r.id, forSeniors: r.for_seniors, userId: r.user_id }));
  },

  /** The ticket of the user's appeal of a suspension. */
  async ofSuspension(sql: Sql, suspensionId: string, userId: string): Promise<string | undefined> {
    const [row] = await sql.query<{ id: string }[]>(
      `SELECT id FROM support.tickets WHERE suspension_id = $1 AND user_id = $2`,
      [suspensionId, userId],
    );
    return row?.id;
  },

  /** The ticket an email message was recorded on, and whose it is. */
  async byEmailMessage(
    sql: Sql,
    messageId: string,
  ): Promise<{ ticketId: string; userId: string } | undefined> {
    const [row] = await sql.query<{ ticket_id: string; user_id: string }[]>(
      `SELECT m.ticket_id, t.user_id FROM support.ticket_messages m
         JOIN support.tickets t ON t.id = m.ticket_id
        WHERE m.email_message_id = $1`,
      [messageId],
    );
    return row && { ticketId: row.ticket_id, userId: row.user_id };
  },

  /**
   * The user's newest ticket still open that an email continues: the one its subject's token
   * names, or one holding a message the email refers to.
   */
  async threadOf(
    sql: Sql,
    userId: string,
    token: string | null,
    references: string[],
  ): Promise<string | undefined> {
    const [row] = await sql.query<{ id: string }[]>(
      `SELECT t.id FROM support.tickets t
        WHERE t.user_id = $1 AND t.status <> 'closed'
          AND (t.id = $2::uuid OR EXISTS (SELECT 1 FROM support.ticket_messages m
                                        WHERE m.ticket_id = t.id AND m.email_message_id = ANY ($3)))
        ORDER BY t.opened_at DESC LIMIT 1`,
      [userId, token, references],
    );
    return row?.id;
  },

  /** The user's latest tickets, newest first. */
  async ofUser(sql: Sql, userId: string): Promise<TicketRow[]> {
    return sql.query<TicketRow[]>(
      `SELECT * FROM support.tickets WHERE user_id = $1 ORDER BY opened_at DESC LIMIT 100`,
      [userId],
    );
  },

  /** The ticket if it is the user's. */
  async own(sql: Sql, userId: string, ticketId: string): Promise<TicketRow | undefined> {
    const [row] = await sql.query<TicketRow[]>(
      `SELECT * FROM support.tickets WHERE id = $1 AND user_id = $2`,
      [ticketId, userId],
    );
    return row;
  },

  /** The status of the user's ticket, locked until the transaction ends; undefined if not theirs. */
  async lockOwn(
    manager: EntityManager,
    userId: string,
    ticketId: string,
  ): Promise<Ticket['status'] | undefined> {
    const [row] = await manager.query<{ status: Ticket['status'] }[]>(
      `SELECT status FROM support.tickets WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [ticketId, userId],
    );
    return row?.status;
  },

  async reopen(manager: EntityManager, ticketId: string): Promise<void> {
    await manager.query(`UPDATE support.tickets SET status = 'open' WHERE id = $1`, [ticketId]);
  },

  /** The messages of the tickets after a place in their streams, in order. */
  async messages(
    sql: Sql,
    ticketIds: string[],
    afterSeq: number,
  ): Promise<(TicketMessage & { ticketId: string })[]> {
    const rows = await sql.query<
      {
        id: string;
        ticket_id: string;
        author: 'user' | 'agent';
        body: string;
        created_at: Date;
        attachments: AttachmentRef[];
        seq: string;
      }[]
    >(
      `SELECT id, ticket_id, author, body, created_at, attachments, seq FROM support.ticket_messages
        WHERE ticket_id = ANY ($1) AND seq > $2 ORDER BY seq`,
      [ticketIds, afterSeq],
    );
    return rows.map((m) => ({
      id: m.id,
      ticketId: m.ticket_id,
      seq: Number(m.seq),
      author: m.author,
      body: m.body,
      createdAt: m.created_at,
      attachments: m.attachments,
    }));
  },

  /** Adds a message; the ticket's live streams wake at commit (`TICKET_MESSAGES_CHANNEL`). */
  async appendMessage(
    manager: EntityManager,
    message: {
      ticketId: string;
      author: 'user' | 'agent';
      authorId: string;
      body: string;
      at: Date;
      email?: EmailMeta;
    },
  ): Promise<void> {
    await manager.query(
      `WITH message AS (
         INSERT INTO support.ticket_messages (id, ticket_id, author, author_id, body, created_at,
           email_message_id, attachments)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ticket_id
       )
       SELECT pg_notify($9, ticket_id::text) FROM message`,
      [
        randomUUID(),
        message.ticketId,
        message.author,
        message.authorId,
        message.body,
        message.at,
        message.email?.messageId ?? null,
        JSON.stringify(message.email?.attachments ?? []),
        TICKET_MESSAGES_CHANNEL,
      ],
    );
  },
};
