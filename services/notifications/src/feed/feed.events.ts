import { Injectable } from '@nestjs/common';
import { jobFailedV1, jobSucceededV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { jobFailedMessage, jobSucceededMessage } from './feed-messages';
import { FeedService } from './feed.service';

/** Job outcomes into the owner's feed. */
@Injectable()
export class FeedEventsConsumer extends EventConsumer {
  readonly group = 'notifications.feed';

  constructor(private readonly feed: FeedService) {
    super();
  }

  register(router: EventRouter): void {
    router
      .on(jobFailedV1, (event, { manager, envelope }) =>
        this.feed.add(manager, event.userId, envelope.id, jobFailedMessage(event), {
          jobId: event.jobId,
          reason: event.reason,
          refunded: event.refunded,
        }),
      )
      .on(jobSucceededV1, (event, { manager, envelope }) =>
        this.feed.add(manager, event.userId, envelope.id, jobSucceededMessage(event), {
          jobId: event.jobId,
        }),
      );
  }
}
