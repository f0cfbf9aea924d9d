import { Injectable } from '@nestjs/common';
import { Clock } from '@fluxnote/clock';
import type { EntityManager } from 'typeorm';
import type { EventPayload, jobSucceededV1 } from '@fluxnote/contracts';
import { Notifier } from '../delivery/notifier';
import { jobSucceededMessage } from '../messages/event-messages';
import type { Message } from '../messages/templates';
import { feedRows } from './feed.repository';

/** Finished jobs within this long of an unread "ready" item join it. */
const DIGEST_WINDOW_MS = 10 * 60_000;
/** Job ids a digest keeps (the newest). */
const MAX_JOB_IDS = 50;

function jobsReadyMessage(count: number, latest: EventPayload<typeof jobSucceededV1>): Message {
  return {
    category: 'jobs',
    title: `${count} generations are ready`,
    paragraphs: [
      `${count} of your jobs finished in the last few minutes, the latest a ${latest.mode} on ${latest.model}. Open them from your history.`,
    ],
    action: { label: 'Open your history', path: '/generations' },
    channels: ['in_app'],
  };
}

/**
 * Finished jobs are the noisy kind: a user who queues twenty gets one item that
 * counts them, not twenty. A finished job joins the user's unread "ready" item
 * from the last few minutes — that item is replaced by one with the new count
 * (a new feed item, so live streams hear of it; `data.replaces` names the one
 * it supersedes, `data.supersedes` every earlier one, so a client that marks read the item it
 * listed a moment ago marks its replacement). A read item, or an old one, starts a new digest.
 */
@Injectable()
export class JobsReadyDigest {
  constructor(
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  async add(
    manager: EntityManager,
    event: EventPayload<typeof jobSucceededV1>,
    eventId: string,
  ): Promise<void> {
    const since = new Date(this.clock.now().getTime() - DIGEST_WINDOW_MS);
    const open = await feedRows.openDigest(manager, event.userId, since);
    if (!open) {
      await this.notifier.notify(manager, event.userId, eventId, jobSucceededMessage(event), {
        digest: 'jobs-ready',
        jobId: event.jobId,
        jobIds: [event.jobId],
      });
      return;
    }
    const jobIds = [...(open.data.jobIds ?? []), event.jobId].slice(-MAX_JOB_IDS);
    // (the count, not the kept ids: only the newest MAX_JOB_IDS ids are kept)
    const count = (open.data.count ?? open.data.jobIds?.length ?? 1) + 1;
    await feedRows.remove(manager, open.id);
    await this.notifier.notify(manager, event.userId, eventId, jobsReadyMessage(count, event), {
      digest: 'jobs-ready',
      jobId: event.jobId,
      jobIds,
      count,
      replaces: open.id,
      supersedes: [...(open.data.supersedes ?? []), open.id].slice(-MAX_JOB_IDS),
    });
  }
}
