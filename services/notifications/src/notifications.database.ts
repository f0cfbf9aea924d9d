import type { ServiceDatabase } from '@fluxnote/platform';
import { NotificationEntity } from './feed/notification.entity';
import { InitialNotifications1763700000300 } from './migrations/1763700000300-initial-notifications';
import { DeliveryChannels1764000000300 } from './migrations/1764000000300-delivery-channels';
import { FeedSequence1764100000300 } from './migrations/1764100000300-feed-sequence';
import { Push1764300000300 } from './migrations/1764300000300-push';
import { Broadcasts1764300000400 } from './migrations/1764300000400-broadcasts';
import { RecipientRoles1764300000500 } from './migrations/1764300000500-recipient-roles';
import { SecretsOnceSent1764500000300 } from './migrations/1764500000300-secrets-once-sent';

/** The notifications schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const notificationsDatabase: ServiceDatabase = {
  service: 'notifications',
  entities: [NotificationEntity],
  migrations: [
    InitialNotifications1763700000300,
    DeliveryChannels1764000000300,
    FeedSequence1764100000300,
    Push1764300000300,
    Broadcasts1764300000400,
    RecipientRoles1764300000500,
    SecretsOnceSent1764500000300,
  ],
};
