import type { EventPayload } from '@fluxnote/contracts';
import type { jobFailedV1, jobSucceededV1 } from '@fluxnote/contracts';
import type { NotificationCategory } from './notification.entity';

export interface FeedMessage {
  category: NotificationCategory;
  title: string;
  body: string;
}

const reasons: Record<string, string> = {
  provider_5xx: 'the model provider had a server error',
  timeout: 'the model took too long to answer',
  crash: 'the model crashed while generating',
  internal: 'something went wrong on our side',
};

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

/** The words a user reads when their job failed: what happened, what came back, what to do. */
export function jobFailedMessage(event: EventPayload<typeof jobFailedV1>): FeedMessage {
  const given = credits(event.refunded);
  return {
    category: 'jobs',
    title: 'Your generation failed — credits refunded',
    body:
      `Your ${event.mode} job on ${event.model} failed because ${reasons[event.reason] ?? event.reason}. ` +
      (given ? `We gave back ${given}; nothing was charged. ` : 'Nothing was charged. ') +
      'You can submit it again, or try another model.',
  };
}

export function jobSucceededMessage(event: EventPayload<typeof jobSucceededV1>): FeedMessage {
  return {
    category: 'jobs',
    title: 'Your generation is ready',
    body: `Your ${event.mode} job on ${event.model} finished. Open it from your history.`,
  };
}
