/**
 * SPEC §5, ticket intake and the agent queue: "First line SECURITY: freeze the
 * account at once … in front of a senior agent", "First line PRIORITY from a Max
 * user: apply the priority tag", "legal matters only by email", and "The agent
 * queue is ordered by class (security, then Max priority, then paid, then free)
 * and, within a class, by the earliest due time. A ticket past its target is
 * escalated." Facts in, decision out. The category comes from `triage.ts`, the
 * first-response target from `../sla/sla-clock.ts`; `tickets.service.ts` writes
 * what these decide, and the queue's SQL (`queue_rank`, a generated column, and
 * `ORDER BY queue_rank, due_at` in `agent-desk.service.ts`) is checked against
 * `agentQueueOrder` by `intake.rules.int-spec.ts`.
 */
import type { SupportChannel, SupportPlan } from '../sla/sla-clock';
import type { TicketCategory } from './triage';

/** The queue's classes, in the order agents serve them (the column stores these numbers). */
export const PriorityClass = { Security: 0, MaxPriority: 1, Paid: 2, Free: 3 } as const;
export type PriorityClass = (typeof PriorityClass)[keyof typeof PriorityClass];
export type PriorityClassName = 'security' | 'max_priority' | 'paid' | 'free';

/** By the number kept in `priority_class`: the names the API shows. */
export const priorityClassNames: readonly PriorityClassName[] = [
  'security',
  'max_priority',
  'paid',
  'free',
];

export function priorityClassName(stored: number): PriorityClassName {
  return priorityClassNames[stored] ?? 'free';
}

/** The class of a plan's ordinary ticket. */
export function planClass(plan: SupportPlan): PriorityClass {
  return plan === 'free' ? PriorityClass.Free : PriorityClass.Paid;
}

export interface IntakeFacts {
  /** The first line of the customer's message, trimmed (`firstLineOf`). */
  firstLine: string;
  category: TicketCategory;
  plan: SupportPlan;
  channel: SupportChannel;
}

export type Intake =
  | { refused: 'legal-by-email' }
  | {
      refused: null;
      /** A security matter (the SECURITY keyword, or security words in the text). */
      security: boolean;
      /** Freeze the account before the ticket exists: only for the SECURITY first line. */
      freeze: boolean;
      tags: string[];
      priorityClass: PriorityClass;
      /** Only senior agents take it. */
      forSeniors: boolean;
    };

export function intake(facts: IntakeFacts): Intake {
  if (facts.category === 'legal' && facts.channel === 'chat') {
    return { refused: 'legal-by-email' };
  }
  const security = facts.category === 'security';
  // PRIORITY from a Max customer tags the ticket; from anyone else it is just text.
  const tags = facts.firstLine === 'PRIORITY' && facts.plan === 'max' ? ['priority'] : [];
  return {
    refused: null,
    security,
    freeze: facts.firstLine === 'SECURITY',
    tags,
    priorityClass: security
      ? PriorityClass.Security
      : tags.includes('priority')
        ? PriorityClass.MaxPriority
        : planClass(facts.plan),
    forSeniors: security,
  };
}

export type Escalation = 'near' | 'breached' | null;

/** A ticket past its target moves up one class, never above security. */
export function queueRank(priorityClass: number, escalation: Escalation): number {
  return escalation === 'breached' && priorityClass > PriorityClass.Security
    ? priorityClass - 1
    : priorityClass;
}

export interface QueuedTicket {
  priorityClass: number;
  escalation: Escalation;
  dueAt: Date;
}

/** The agent queue: by rank (class, moved up when breached), then the earliest due. */
export function agentQueueOrder(a: QueuedTicket, b: QueuedTicket): number {
  return (
    queueRank(a.priorityClass, a.escalation) - queueRank(b.priorityClass, b.escalation) ||
    a.dueAt.getTime() - b.dueAt.getTime()
  );
}
