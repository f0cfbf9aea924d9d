import { z } from 'zod';
import type { supportV1 } from '@fluxnote/contracts';
import type { Ticket, TicketMessage } from './tickets.repository';
import { ticketCategories } from './triage';

/** Tickets as gRPC answers them, and the check of a new ticket's fields: one mapper per type. */
export const openInput = z.object({
  channel: z.enum(['chat', 'email']),
  subject: z.string().trim().max(200),
  body: z.string().trim().min(1, 'is required').max(20_000),
  jobIds: z.array(z.string().uuid('must be job ids')).max(20),
  category: z.enum(ticketCategories).optional(),
});

export function toMessage(m: TicketMessage): supportV1.TicketMessage {
  return {
    id: m.id,
    author: m.author,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
    attachments: m.attachments,
    seq: m.seq,
  };
}

export function toTicket(t: Ticket & { standing?: string }): supportV1.Ticket {
  return {
    userId: t.userId,
    claimedBy: t.claimedBy ?? '',
    standing: t.standing ?? '',
    id: t.id,
    channel: t.channel,
    subject: t.subject,
    category: t.category,
    priorityClass: t.priorityClass,
    tags: t.tags,
    status: t.status,
    openedAt: t.openedAt.toISOString(),
    dueAt: t.dueAt.toISOString(),
    firstResponseAt: t.firstResponseAt?.toISOString() ?? '',
    jobIds: t.jobIds,
    messages: t.messages.map(toMessage),
    suspensionId: t.suspensionId ?? '',
  };
}
