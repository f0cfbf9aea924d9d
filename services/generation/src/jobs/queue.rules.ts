/**
 * SPEC §3, "Max-plan jobs go to a priority lane that is served before the shared
 * queue", and fair turns within a lane: which lane a job waits in, the turn it
 * takes, and which queued job a worker takes next. Facts in, decision out.
 *
 * The queue runs these rules in SQL, so a claim reads one index head however many
 * jobs wait: `queueTurnSql` and the claim's `ORDER BY` in `queue.repository.ts`.
 * `queue.rules.int-spec.ts` drives both with the same random traffic and checks
 * they decide alike. Which plan earns the priority lane is billing's plan catalog
 * (`priorityLane` in `services/billing/src/plans/plan-catalog.ts`).
 */

/** The queue lanes, in the order they are served (the column stores these numbers). */
export const Lane = { Priority: 0, Shared: 1 } as const;
export type Lane = (typeof Lane)[keyof typeof Lane];

/** The lane of a job whose owner's plan does (Max) or does not earn the priority lane. */
export function laneFor(planEarnsPriority: boolean): Lane {
  return planEarnsPriority ? Lane.Priority : Lane.Shared;
}

/** A lane as metrics, logs and the API name it. */
export function laneName(lane: number): 'priority' | 'shared' {
  return lane === Lane.Priority ? 'priority' : 'shared';
}

/** What the turn of a newly queued job depends on, all within its lane. */
export interface TurnFacts {
  /** The lowest turn still waiting in the lane, if any job waits. */
  lowestWaiting: number | null;
  /** The highest turn being served in the lane, if any job runs. */
  highestServing: number | null;
  /** The highest turn of the owner's own jobs waiting or running in the lane. */
  ownersLatest: number | null;
}

/**
 * Fair queuing by start tags: the lane's current turn (the lowest still waiting,
 * or when none waits the highest being served), or one past the owner's own
 * latest waiting or running job, whichever is later. A user's hundred jobs take
 * turns n … n+99; someone else's first job, queued meanwhile, takes the current
 * turn and runs in the next round instead of behind all hundred.
 */
export function queueTurn(facts: TurnFacts): number {
  const current = facts.lowestWaiting ?? facts.highestServing ?? 0;
  const owners = facts.ownersLatest === null ? 0 : facts.ownersLatest + 1;
  return Math.max(current, owners);
}

/** A queued job as the claim order sees it. */
export interface QueuedJob {
  id: string;
  model: string;
  lane: Lane;
  turn: number;
  createdAt: Date;
}

/** The claim order: the priority lane first; within a lane the lowest turn, then the oldest (then the id). */
export function claimOrder(a: QueuedJob, b: QueuedJob): number {
  return (
    a.lane - b.lane ||
    a.turn - b.turn ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The job a worker takes next: the first in claim order whose model is running
 * fewer jobs than its limit (a provider's rate limit); a full model's jobs wait
 * without holding back other models'.
 */
export function nextClaim<J extends QueuedJob>(
  queued: readonly J[],
  runningOf: (model: string) => number,
  limitOf: (model: string) => number,
): J | undefined {
  return [...queued].sort(claimOrder).find((job) => runningOf(job.model) < limitOf(job.model));
}
