import type { generationV1 } from '@fluxnote/contracts';

/** The port a ticket's cited jobs are checked through: generation answers for the owner's own job only. */
export abstract class CitedJobs {
  /** The customer's own job; anyone else's, or none, is not found (404). */
  abstract customerJob(userId: string, jobId: string): Promise<generationV1.Job>;
}
