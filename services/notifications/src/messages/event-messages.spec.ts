import { feedBody, renderEmail, renderPush, brandOf } from './templates';
import {
  formatMoney,
  jobBlockedMessage,
  jobFailedMessage,
  jobSucceededMessage,
  refundDecidedMessage,
  refundProcessedMessage,
  subscriptionChangedMessage,
  ticketAnsweredMessage,
} from './event-messages';

const ref = {
  jobId: '00000000-0000-4000-8000-000000000001',
  userId: '00000000-0000-4000-8000-000000000002',
  model: 'wan-2.6',
  mode: 'text-to-video',
};

const refund = {
  refundId: '00000000-0000-4000-8000-000000000003',
  chargeId: '00000000-0000-4000-8000-000000000004',
  userId: ref.userId,
  amount: { amount: 190, currency: 'USD' as const },
};

describe('event messages', () => {
  it('says what failed, why, and what was given back', () => {
    const message = jobFailedMessage({
      ...ref,
      reason: 'provider_5xx',
      refunded: { videoCredits: 1, imageCredits: 0 },
    });
    expect(message.category).toBe('jobs');
    expect(feedBody(message)).toContain('wan-2.6');
    expect(feedBody(message)).toContain('server error');
    expect(feedBody(message)).toContain('1 video credit;');
    expect(message.channels).toEqual(['in_app', 'email', 'push']);
  });

  it('tells a blocked prompt that nothing was charged, and a withheld output what came back', () => {
    const prompt = jobBlockedMessage({ ...ref, rule: 'violence', explanation: 'Graphic harm.' });
    expect(prompt.title).toBe('Your prompt was blocked');
    expect(feedBody(prompt)).toContain('Nothing was charged.');
    expect(prompt.channels).toEqual(['in_app']);
    const output = jobBlockedMessage({
      ...ref,
      rule: 'output_moderation',
      explanation: 'The provider withheld the output.',
      stage: 'output',
      refunded: { videoCredits: 1, imageCredits: 0 },
    });
    expect(output.title).toBe('Your generation was withheld');
    expect(feedBody(output)).toContain('We gave back 1 video credit;');
    expect(output.channels).toEqual(['in_app', 'email', 'push']);
  });

  it('names both pools when both were refunded', () => {
    const message = jobFailedMessage({
      ...ref,
      reason: 'timeout',
      refunded: { videoCredits: 1, imageCredits: 50 },
    });
    expect(feedBody(message)).toContain('1 video credit and 50 image credits');
  });

  it('announces a finished job in the feed only', () => {
    const message = jobSucceededMessage({ ...ref, outputUrl: 'simulator://x' });
    expect(message.title).toBe('Your generation is ready');
    expect(message.channels).toEqual(['in_app']);
  });

  it('explains each refund decision and outcome in billing, with the amount', () => {
    const approved = refundDecidedMessage({
      ...refund,
      decision: 'approved',
      rule: 'fluxnote.monthly-within-14-days',
      explanation: 'You used 45 of 50 credits.',
      source: 'policy',
    });
    expect(approved).toMatchObject({ category: 'billing', title: 'Refund approved: $1.90' });
    expect(feedBody(approved)).toContain('You used 45 of 50 credits.');
    const rejected = refundDecidedMessage({
      ...refund,
      decision: 'rejected',
      rule: 'r',
      explanation: 'Credit packs are not refundable.',
      source: 'policy',
    });
    expect(rejected.title).toMatch(/declined/);
    expect(refundProcessedMessage({ ...refund, status: 'failed' }).title).toMatch(
      /could not be completed/,
    );
    expect(formatMoney({ amount: 79900, currency: 'INR' })).toBe('₹799.00');
  });

  it('tells of a failed renewal, and stays quiet about changes the user made', () => {
    const base = {
      userId: ref.userId,
      plan: 'free',
      interval: 'month' as const,
      previousPlan: 'pro',
      pendingPlan: null,
    };
    expect(subscriptionChangedMessage({ ...base, reason: 'payment_failed' })?.title).toMatch(
      /renewal/,
    );
    expect(subscriptionChangedMessage({ ...base, reason: 'upgrade' })).toBeNull();
  });

  it('renders text and HTML email from one message, escaped, with the brand and the link', () => {
    const message = refundDecidedMessage({
      ...refund,
      decision: 'rejected',
      rule: 'r',
      explanation: 'Packs <never> "refund" & such.',
      source: 'policy',
    });
    const email = renderEmail(message, brandOf('flux-kontext'));
    expect(email.subject).toBe('Flux Kontext: Your refund request was declined');
    expect(email.text).toContain('Packs <never> "refund" & such.');
    expect(email.text).toContain('https://app.fluxkontext.dev/billing/refunds');
    expect(email.html).toContain('Packs &lt;never&gt; &quot;refund&quot; &amp; such.');
    expect(email.html).not.toContain('<never>');
    expect(email.html).toContain('href="https://app.fluxkontext.dev/billing/refunds"');
    expect(email.text).toContain('always sent');
  });

  it('sends an email ticket’s reply as the email itself, and only points to a chat reply', () => {
    const answered = {
      ticketId: '00000000-0000-4000-8000-000000000009',
      userId: ref.userId,
      subject: 'Lost credits',
      reply: 'We returned your credits.\n\nSorry for the trouble.',
    };
    const email = ticketAnsweredMessage({ ...answered, channel: 'email' });
    expect(email.title).toBe('Re: Lost credits [#00000000-0000-4000-8000-000000000009]');
    expect(email.paragraphs.slice(0, 2)).toEqual([
      'We returned your credits.',
      'Sorry for the trouble.',
    ]);
    expect(email.channels).toContain('email');
    const chat = ticketAnsweredMessage({ ...answered, channel: 'chat', reply: 'x'.repeat(400) });
    expect(chat.channels).toEqual(['in_app', 'push']);
    expect(chat.paragraphs[0]).toHaveLength(300);
    expect(renderPush(chat, brandOf('fluxnote')).link).toBe(
      'https://app.fluxnote.dev/help/tickets/00000000-0000-4000-8000-000000000009',
    );
  });
});
