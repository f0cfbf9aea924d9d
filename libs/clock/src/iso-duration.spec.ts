import { parseIsoDuration } from './iso-duration';

describe('parseIsoDuration', () => {
  it.each([
    ['P10D', 10 * 86_400_000],
    ['PT15M', 15 * 60_000],
    ['PT1H30M', 90 * 60_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT2H3M4S', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000],
    ['PT0.5S', 500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '10D', 'P1Y', 'P-1D', 'P1DT'])('rejects %j', (text) => {
    expect(() => parseIsoDuration(text)).toThrow(RangeError);
  });
});
