/** Postgres NOTIFY channel that wakes workers when a job is queued. */
export const WORK_CHANNEL = 'fluxnote_generation_work';
