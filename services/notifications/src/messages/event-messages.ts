import type {
  EventPayload,
  ticketAnsweredV1,
  jobBlockedV1,
  failureStreakV1,
  incidentDeclaredV1,
  jobFailedV1,
  jobSucceededV1,
  refundDecidedV1,
  refundProcessedV1,
  subscriptionChangedV1,
} from '@fluxnote/contracts';
import { refundRoute } from './refund-route';
import type { Message } from './templates';

/** The words a user reads for each event: what happened, what came back, what to do next. */

const reasons: Record<string, string> = {
  provider_5xx: 'the model provider had a server error',
  timeout: 'the model took too long to answer',
  crash: 'the model crashed while generating',
  internal: 'something went wrong on our side',
};

type Money = { amount: number; currency: 'USD' | 'INR' };

/** For reading only (billing keeps money in integer minor units; this only prints them). */
export function formatMoney(money: Money): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).format(
    money.amount / 100,
  );
}

function credits(refunded: { videoCredits: number; imageCredits: number }): string {
  const parts: string[] = [];
  if (refunded.videoCredits > 0) {
    parts.push(`${refunded.videoCredits} video credit${refunded.videoCredits === 1 ? '' : 's'}`);
  }
  if (refunded.imageCredits > 0) {
    parts.push(`${refunded.imageCredits} image credit${refunded.imageCredits === 1 ? '' : 's'}`);
  }
  return parts.join(' and ');
}

export function jobFailedMessage(event: EventPayload<typeof jobFailedV1>): Message {
  const given = credits(event.refunded);
  return {
    category: 'jobs',
    title: 'Your generation failed — credits refunded',
    paragraphs: [
      `Your ${event.mode} job on ${event.model} failed because ${reasons[event.reason] ?? event.reason}.`,
      given ? `We gave back ${given}; nothing was charged.` : 'Nothing was charged.',
      'You can submit it again, or try another model.',
    ],
    action: { label: 'Open the job', path: `/generations/${event.jobId}` },
    channels: ['in_app', 'email', 'push'],
  };
}

/** Finished jobs are many: the feed only, no email for each. */
export function jobSucceededMessage(event: EventPayload<typeof jobSucceededV1>): Message {
  return {
    category: 'jobs',
    title: 'Your generation is ready',
    paragraphs: [`Your ${event.mode} job on ${event.model} finished. Open it from your history.`],
    action: { label: 'Open the job', path: `/generations/${event.jobId}` },
    channels: ['in_app'],
  };
}

export function refundDecidedMessage(event: EventPayload<typeof refundDecidedV1>): Message {
  const amount = formatMoney(event.amount);
  const route = refundRoute(event.method);
  const action = { label: 'See your refunds', path: '/billing/refunds' };
  switch (event.decision) {
    case 'approved':
      return {
        category: 'billing',
        title: `Refund approved: ${amount}`,
        paragraphs: [
          event.explanation,
          `${amount} goes back to ${route.destination}, usually ${route.arrival}; we will tell you when it is done.`,
        ],
        action,
        channels: ['in_app', 'email', 'push'],
      };
    case 'rejected':
      return {
        category: 'billing',
        title: 'Your refund request was declined',
        paragraphs: [event.explanation],
        action,
        channels: ['in_app', 'email', 'push'],
      };
    case 'review':
      return {
        category: 'billing',
        title: 'Your refund request is with our team',
        paragraphs: [
          event.explanation,
          'A person from our billing team will decide and write to you; you do not need to do anything now.',
        ],
        action,
        channels: ['in_app', 'email', 'push'],
      };
  }
}

export function refundProcessedMessage(event: EventPayload<typeof refundProcessedV1>): Message {
  const amount = formatMoney(event.amount);
  const route = refundRoute(event.method);
  return event.status === 'succeeded'
    ? {
        category: 'billing',
        title: `Your refund of ${amount} was sent`,
        paragraphs: [
          `The payment processor confirmed the refund of ${amount} to ${route.destination}. It reaches you ${route.arrival} of the refund, depending on your bank.`,
        ],
        action: { label: 'See your refunds', path: '/billing/refunds' },
        channels: ['in_app', 'email', 'push'],
      }
    : {
        category: 'billing',
        title: `Your refund of ${amount} could not be completed`,
        paragraphs: [
          `The payment processor could not return ${amount} to ${route.destination} (it may have expired or been closed).`,
          'Contact support from the Help page: an agent will send it another way.',
        ],
        action: { label: 'Contact support', path: '/help' },
        channels: ['in_app', 'email', 'push'],
      };
}

/** Only the subscription changes a user did not make themselves (the others they saw happen). */
export function subscriptionChangedMessage(
  event: EventPayload<typeof subscriptionChangedV1>,
): Message | null {
  if (event.reason !== 'payment_failed') {
    return null;
  }
  return {
    category: 'billing',
    title: 'Your plan renewal did not go through',
    paragraphs: [
      `The payment for renewing your ${event.previousPlan} plan was declined, so your account is on the Free plan now. Nothing was charged.`,
      'Update your payment method and subscribe again to get your plan and its credits back.',
    ],
    action: { label: 'Update payment method', path: '/billing' },
    channels: ['in_app', 'email', 'push'],
  };
}

/** An incident on a model the user used recently: what is wrong, when it should be fixed, what to use meanwhile. */
export function incidentMessage(event: EventPayload<typeof incidentDeclaredV1>): Message {
  const eta = event.eta
    ? `We expect it to be fixed by ${new Date(event.eta).toUTCString().replace(' GMT', ' UTC')}.`
    : 'We will tell you when it is fixed.';
  return {
    category: 'jobs',
    title: `${event.modelName} is having problems`,
    paragraphs: [
      event.message,
      eta,
      event.alternative
        ? `Meanwhile you can use ${event.alternative} for the same kind of job.`
        : 'You can keep your jobs queued or try another model meanwhile.',
      'Jobs that fail because of this are refunded automatically.',
    ],
    action: event.alternative
      ? {
          label: `Try ${event.alternative}`,
          path: `/create?model=${encodeURIComponent(event.alternative)}`,
        }
      : { label: 'See your jobs', path: '/generations' },
    channels: ['in_app', 'email', 'push'],
  };
}

/** Three failures in a row on one model: say so, say nothing was charged, and point to the model that works. */
export function failureStreakMessage(event: EventPayload<typeof failureStreakV1>): Message {
  const rate =
    event.suggestedSuccessRate === undefined
      ? ''
      : ` (${Math.round(event.suggestedSuccessRate * 100)} % of its jobs finished in the last day)`;
  return {
    category: 'jobs',
    title: `${event.modelName} failed ${event.failures} times in a row`,
    paragraphs: [
      `Your last ${event.failures} ${event.mode} jobs on ${event.modelName} failed on our side, and every credit came back.`,
      `${event.suggestedModelName} has been the most reliable for ${event.mode} lately${rate}; you could try it meanwhile.`,
      'The guide explains how the models differ.',
    ],
    action: { label: 'Read the model guide', path: event.guidePath },
    channels: ['in_app', 'email', 'push'],
  };
}

/** The user saw the refusal when submitting; the feed keeps it with the way to appeal. */
export function jobBlockedMessage(event: EventPayload<typeof jobBlockedV1>): Message {
  if (event.stage === 'output') {
    const given = event.refunded ? credits(event.refunded) : '';
    return {
      category: 'jobs',
      title: 'Your generation was withheld',
      paragraphs: [
        `Your ${event.mode} job on ${event.model} ran, but the model provider’s own content check withheld the result. ${event.explanation}`,
        given ? `We gave back ${given}; nothing was charged.` : 'Nothing was charged.',
        'You can try again with a changed prompt, or contact support with the job id if you think the check was wrong.',
      ],
      action: { label: 'Open the job', path: `/generations/${event.jobId}` },
      channels: ['in_app', 'email', 'push'],
    };
  }
  return {
    category: 'jobs',
    title: 'Your prompt was blocked',
    paragraphs: [
      `Your ${event.mode} job on ${event.model} was not started: the content check found it breaks the rule “${event.rule}”. ${event.explanation}`,
      'Nothing was charged.',
      `If you think this is a mistake, contact support with the job id ${event.jobId}: an agent can approve it and give you a credit for the trouble.`,
    ],
    action: { label: 'Contact support', path: `/help?job=${event.jobId}` },
    channels: ['in_app'],
  };
}

/** Support answered: for an email ticket the reply itself is the email; for chat, a pointer to it. */
export function ticketAnsweredMessage(event: EventPayload<typeof ticketAnsweredV1>): Message {
  const path = `/help/tickets/${event.ticketId}`;
  return event.channel === 'email'
    ? {
        category: 'support',
        // the token threads the customer's reply back to the ticket (support's inbound email)
        title: `Re: ${event.subject} [#${event.ticketId}]`,
        paragraphs: [
          ...event.reply.split(/\n{2,}/),
          'Reply to this email, or from the ticket page, to continue.',
        ],
        action: { label: 'Open the ticket', path },
        channels: ['in_app', 'email', 'push'],
      }
    : {
        category: 'support',
        title: 'Support answered your chat',
        paragraphs: [event.reply.length > 300 ? `${event.reply.slice(0, 299)}…` : event.reply],
        action: { label: 'Open the chat', path },
        channels: ['in_app', 'push'],
      };
}
