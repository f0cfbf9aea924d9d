import fc from 'fast-check';
import { add, formatMoney, money, multiplyRatio, percentage, subtract } from './money';

describe('Money', () => {
  it('refuses fractions of a minor unit and mixed currencies', () => {
    expect(() => money(19.5, 'USD')).toThrow(RangeError);
    expect(() => add(money(1, 'USD'), money(1, 'INR'))).toThrow(/USD with INR/);
  });

  it.each([
    [1900, 45, 50, 'half-up', 1710],
    [11_988, 30, 600, 'half-up', 599],
    [11_988, 30, 600, 'up', 600],
    [11_988, 30, 600, 'down', 599],
    [5, 1, 2, 'half-up', 3],
    [5, 1, 2, 'down', 2],
    [-5, 1, 2, 'down', -3],
    [-5, 1, 2, 'up', -2],
  ] as const)('%d × %d / %d rounded %s = %d', (amount, n, d, rounding, expected) => {
    expect(multiplyRatio(money(amount, 'USD'), n, d, rounding).amount).toBe(expected);
  });

  it('is exact where floats are not (2.9 % of large amounts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (amount) => {
        const fee = percentage(money(amount, 'USD'), 290, 'down').amount;
        expect(BigInt(fee)).toBe((BigInt(amount) * 290n) / 10_000n);
      }),
    );
  });

  it('formats for people', () => {
    expect(formatMoney(money(190, 'USD'))).toBe('1.90 USD');
    expect(formatMoney(money(149_900, 'INR'))).toBe('1,499.00 INR');
    expect(formatMoney(subtract(money(5, 'USD'), money(105, 'USD')))).toBe('-1.00 USD');
  });
});
