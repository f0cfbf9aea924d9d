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
