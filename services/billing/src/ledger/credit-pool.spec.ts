import { addMonths, remaining } from './credit-pool';

describe('remaining', () => {
  it.each([
    [{ allowance: 1, used: 0, reserved: 0, packCredits: 0 }, 1],
    [{ allowance: 1, used: 0, reserved: 1, packCredits: 0 }, 0],
    [{ allowance: 50, used: 45, reserved: 2, packCredits: 0 }, 3],
    [{ allowance: 50, used: 50, reserved: 0, packCredits: 10 }, 10],
    [{ allowance: 50, used: 55, reserved: 1, packCredits: 10 }, 4],
    [{ allowance: 1, used: 3, reserved: 0, packCredits: 0 }, 0],
  ])('%j leaves %d', (balance, expected) => {
    expect(remaining(balance)).toBe(expected);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-01-15T10:00:00.000Z', 1, '2026-02-15T10:00:00.000Z'],
    ['2026-01-31T00:00:00.000Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2028-01-31T00:00:00.000Z', 1, '2028-02-29T00:00:00.000Z'],
    ['2026-12-10T00:00:00.000Z', 1, '2027-01-10T00:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', 12, '2027-03-31T00:00:00.000Z'],
  ])('%s + %d month(s) = %s', (from, months, to) => {
    expect(addMonths(new Date(from), months).toISOString()).toBe(to);
  });
});
