import { refundDecidedMessage, refundProcessedMessage } from './event-messages';
import { refundRoute, type RefundMethod } from './refund-route';
import { brands, renderEmail, renderPush, feedBody } from './templates';

/**
 * Every refund notice names where the money goes back to and when it arrives, as the refund
 * policy promises: the original method within 3–5 business days, a UPI payment to the source
 * UPI ID. Each notice, for each brand and each way of paying, in every channel it goes to.
 */
const refund = {
  refundId: '00000000-0000-4000-8000-000000000003',
  chargeId: '00000000-0000-4000-8000-000000000004',
  userId: '00000000-0000-4000-8000-000000000002',
};

const methods: [RefundMethod, string][] = [
  ['card', 'the card you paid with'],
  ['upi', 'the UPI ID you paid from'],
  [null, 'the payment method you paid with'],
];

const notices = (method: RefundMethod) => [
  {
    name: 'approved',
    message: refundDecidedMessage({
      ...refund,
      method,
      decision: 'approved',
      amount: { amount: 49900, currency: 'INR' },
      rule: 'flux.within-7-days',
      explanation: 'You asked within 7 days of paying and used no credits.',
      source: 'policy',
    }),
    promisesTime: true,
  },
  {
    name: 'sent',
    message: refundProcessedMessage({
      ...refund,
      method,
      status: 'succeeded',
      amount: { amount: 49900, currency: 'INR' },
    }),
    promisesTime: true,
  },
  {
    name: 'failed',
    message: refundProcessedMessage({
      ...refund,
      method,
      status: 'failed',
      amount: { amount: 49900, currency: 'INR' },
    }),
    promisesTime: false,
  },
];

describe('refund notices', () => {
  it.each(methods)('route for %s: %s, within 3–5 business days', (method, destination) => {
    expect(refundRoute(method)).toEqual({ destination, arrival: 'within 3–5 business days' });
  });

  for (const brand of Object.values(brands)) {
    for (const [method, destination] of methods) {
      for (const { name, message, promisesTime } of notices(method)) {
        it(`${brand.name}, ${method ?? 'unknown method'}: the "${name}" notice names ${destination}`, () => {
          const email = renderEmail(message, brand);
          const feed = feedBody(message);
          for (const text of [email.text, feed]) {
            expect(text).toContain(destination);
            expect(text).not.toMatch(/5–10 business days|a few days/);
            if (promisesTime) {
              expect(text).toContain('within 3–5 business days');
            }
          }
          expect(email.subject.startsWith(`${brand.name}: `)).toBe(true);
          expect(email.html).toContain(destination);
          expect(renderPush(message, brand).title).toBe(message.title);
          if (method !== 'upi') {
            expect(email.text).not.toContain('UPI');
          }
        });
      }
    }
  }
});
