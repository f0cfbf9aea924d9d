import { z } from 'zod';

const note = z.string().trim().min(1, 'say why (it is kept in the audit)').max(2000);
const jobId = z.string().uuid('must be a job id');

/**
 * An agent's action on a ticket (`POST /v1/agent/tickets/{id}/actions`), checked
 * by the gateway and again by support. What each type needs; the ticket itself
 * gives the customer, the suspension and the cited jobs.
 */
export const agentActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('refund_job_credits'), jobId, note }),
  z.object({ type: z.literal('approve_prompt'), jobId, note }),
  z.object({
    type: z.literal('goodwill_refund'),
    chargeId: z.string().min(1).max(100),
    amount: z.number().int().positive().optional(),
    note,
  }),
  z.object({ type: z.literal('unfreeze_account'), note }),
  z.object({
    type: z.literal('decide_appeal'),
    decision: z.enum(['upheld', 'overturned']),
    note,
  }),
]);
export type AgentAction = z.infer<typeof agentActionSchema>;
