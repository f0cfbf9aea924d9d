import { z } from 'zod';
import { defineEvent, topics } from './event-definition';

/** An agent answered a ticket; for an email ticket the reply itself goes to the customer by email. */
export const ticketAnsweredV1 = defineEvent(
  'support.ticket.answered.v1',
  topics.support,
  z.object({
    ticketId: z.string().uuid(),
    userId: z.string().uuid(),
    channel: z.enum(['chat', 'email']),
    subject: z.string(),
    reply: z.string(),
  }),
);

/**
 * A ticket without a first response came near its target (a share of it elapsed)
 * or went past it; each level once per ticket. Notifications tells the agent
 * holding it, else the senior agents; a breach reaches senior agents and admins.
 */
export const ticketEscalatedV1 = defineEvent(
  'support.ticket.escalated.v1',
  topics.support,
  z.object({
    ticketId: z.string().uuid(),
    level: z.enum(['near', 'breached']),
    category: z.string(),
    priorityClass: z.enum(['security', 'max_priority', 'paid', 'free']),
    plan: z.string(),
    channel: z.enum(['chat', 'email']),
    dueAt: z.string(),
    /** The agent holding the ticket, if any. */
    claimedBy: z.string().uuid().nullable(),
    /** Only senior agents may take it (security, suspension appeals). */
    forSeniors: z.boolean(),
  }),
);
