import { DateTime, Duration } from 'luxon';
import { ProblemError } from '@fluxnote/contracts';

/** The longest estimated fix an incident may announce: a week. */
const LONGEST_ETA_MS = 7 * 24 * 60 * 60_000;

/**
 * When an incident's estimated fix is: given as a time (ISO 8601 with an offset,
 * `2026-12-03T18:00:00Z`) or as a duration from the declaration (ISO 8601, `PT2H`, `P1DT6H`).
 * None given: no estimate. It must be after the declaration and within a week of it.
 */
export function incidentEta(given: string, declaredAt: Date): Date | null {
  const text = given.trim();
  if (!text) {
    return null;
  }
  let eta: Date;
  if (/^P/i.test(text)) {
    const duration = Duration.fromISO(text.toUpperCase());
    if (!duration.isValid || !/\d/.test(text)) {
      throw ProblemError.badRequest(
        'eta must be an ISO 8601 time (2026-12-03T18:00:00Z) or duration (PT2H).',
        { field: 'eta' },
      );
    }
    eta = new Date(declaredAt.getTime() + duration.as('milliseconds'));
  } else {
    const time = DateTime.fromISO(text, { setZone: true });
    if (!time.isValid || !/(Z|[+-]\d\d:?\d\d)$/i.test(text)) {
      throw ProblemError.badRequest(
        'eta must be an ISO 8601 time with its offset (2026-12-03T18:00:00Z) or a duration (PT2H).',
        { field: 'eta' },
      );
    }
    eta = time.toJSDate();
  }
  if (eta.getTime() <= declaredAt.getTime()) {
    throw ProblemError.badRequest('eta must be in the future.', { field: 'eta' });
  }
  if (eta.getTime() - declaredAt.getTime() > LONGEST_ETA_MS) {
    throw ProblemError.badRequest('eta must be within a week.', { field: 'eta' });
  }
  return eta;
}
