import { ProblemError } from '@fluxnote/contracts';
import { incidentEta } from './incident-eta';

describe('an incident’s estimated fix time', () => {
  const declaredAt = new Date('2026-12-03T16:00:00.000Z');

  it.each([
    ['', null],
    ['  ', null],
    ['PT2H', '2026-12-03T18:00:00.000Z'],
    ['pt90m', '2026-12-03T17:30:00.000Z'],
    ['P1DT6H', '2026-12-04T22:00:00.000Z'],
    ['2026-12-03T18:00:00Z', '2026-12-03T18:00:00.000Z'],
    ['2026-12-03T23:30:00+05:30', '2026-12-03T18:00:00.000Z'],
  ])('%j is %s', (given, expected) => {
    expect(incidentEta(given, declaredAt)?.toISOString() ?? null).toBe(expected);
  });

  it.each([
    ['PT0S', /in the future/],
    ['2026-12-03T15:00:00Z', /in the future/],
    ['P8D', /within a week/],
    ['PT2 hours', /ISO 8601/],
    ['P', /ISO 8601/],
    ['2026-12-03T18:00:00', /with its offset/],
    ['tomorrow', /ISO 8601/],
  ])('refuses %j', (given, message) => {
    let problem: unknown;
    try {
      incidentEta(given, declaredAt);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(ProblemError);
    expect((problem as ProblemError).problem).toMatchObject({ status: 400, field: 'eta' });
    expect((problem as ProblemError).problem.detail).toMatch(message);
  });
});
