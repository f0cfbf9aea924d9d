import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  deletionCompletedV1,
  failureStreakV1,
  generationAlertV1,
  jobBlockedV1,
  ticketAnsweredV1,
  ticketEscalatedV1,
  type EventPayload,
  type SecretPurpose,
  incidentDeclaredV1,
  operationsAlertV1,
  jobFailedV1,
  loginChallengedV2,
  loginThrottledV2,
  passwordChangedV1,
  passwordResetRequestedV2,
  suspensionAppealDecidedV1,
  userStatusChangedV1,
  jobSucceededV1,
  refundDecidedV1,
  refundProcessedV1,
  subscriptionChangedV1,
  userRegisteredV1,
  userRolesChangedV1,
} from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { Clock } from '@fluxnote/clock';
import { SecretOpener } from '@fluxnote/platform';
import { Broadcasts } from '../broadcasts/broadcasts';
import {
  failureStreakMessage,
  incidentMessage,
  jobBlockedMessage,
  ticketAnsweredMessage,
  jobFailedMessage,
  refundDecidedMessage,
  refundProcessedMessage,
  subscriptionChangedMessage,
} from '../messages/event-messages';
import {
  appealDecidedMessage,
  loginCodeMessage,
  loginThrottledMessage,
  passwordChangedMessage,
  passwordResetMessage,
  statusChangedMessage,
} from '../messages/security-messages';
import { operationsAlertMessage, ticketEscalationAlert } from '../messages/operations-messages';
import { JobsReadyDigest } from '../feed/jobs-ready-digest';
import type { Message } from '../messages/templates';
import { FarewellMail } from './farewell-mail';
import { Notifier } from './notifier';
import { recipientRows } from './recipients.repository';

/** Every event a user must hear about, into their feed and their chosen channels; who they are, from accounts. */
@Injectable()
export class NotificationEventsConsumer extends EventConsumer {
  readonly group = 'notifications.feed';

  constructor(
    private readonly notifier: Notifier,
    private readonly broadcasts: Broadcasts,
    private readonly farewell: FarewellMail,
    private readonly jobsReady: JobsReadyDigest,
    private readonly clock: Clock,
    private readonly secrets: SecretOpener,
  ) {
    super();
  }

  /** A message whose one-time secret the event carries sealed: opened for that user and use, then sent. */
  private async notifySealed(
    manager: EntityManager,
    eventId: string,
    userId: string,
    secret: { sealed: string; purpose: SecretPurpose },
    message: (opened: string) => Message,
    data: Record<string, unknown>,
  ): Promise<void> {
    const opened = await this.secrets.open(secret.sealed, { userId, purpose: secret.purpose });
    await this.notifier.notify(manager, userId, eventId, message(opened), data);
  }

  /** An operations alert to staff: everyone holding one of `roles`, plus `userIds` (must-deliver). */
  private async alertStaff(
    manager: EntityManager,
    eventId: string,
    alert: EventPayload<typeof operationsAlertV1>,
    to: { roles: string[]; userIds?: string[] },
    action?: { label: string; path: string },
  ): Promise<void> {
    const staff = await recipientRows.withRoles(manager, to.roles, to.userIds ?? []);
    await this.notifier.notifyMany(
      manager,
      staff.map((userId) => ({ userId, eventId: `${eventId}/${userId}` })),
      operationsAlertMessage(alert, action),
      { kind: alert.kind, severity: alert.severity, ...alert.details },
    );
  }

  private alertAdmins(
    manager: EntityManager,
    eventId: string,
    alert: EventPayload<typeof operationsAlertV1>,
  ): Promise<void> {
    return this.alertStaff(manager, eventId, alert, { roles: ['admin'] });
  }

  register(router: EventRouter): void {
    router
      .on(userRegisteredV1, async (event, { manager }) => {
        await recipientRows.registered(
          manager,
          {
            userId: event.userId,
            brand: event.brand,
            email: event.email ?? null,
            roles: event.roles ?? [],
          },
          this.clock.now(),
        );
      })
      .on(userRolesChangedV1, async (event, { manager }) => {
        await recipientRows.setRoles(manager, event.userId, event.roles);
      })
      .on(deletionCompletedV1, (event) => this.farewell.send(event))
      // For the people who run the platform: every admin, whatever their preferences.
      .on(operationsAlertV1, (event, { manager, envelope }) =>
        this.alertAdmins(manager, envelope.id, event),
      )
      .on(generationAlertV1, (event, { manager, envelope }) =>
        this.alertAdmins(manager, envelope.id, event),
      )
      // Near its target: the agent holding the ticket, else the senior agents. Past it: seniors and admins.
      .on(ticketEscalatedV1, (event, { manager, envelope }) => {
        const near = event.level === 'near';
        return this.alertStaff(
          manager,
          envelope.id,
          ticketEscalationAlert(event),
          {
            roles:
              near && event.claimedBy ? [] : near ? ['senior_agent'] : ['senior_agent', 'admin'],
            userIds: event.claimedBy ? [event.claimedBy] : [],
          },
          { label: 'Open the ticket', path: `/agent/tickets/${event.ticketId}` },
        );
      })
      .on(jobBlockedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, jobBlockedMessage(event), {
          jobId: event.jobId,
          rule: event.rule,
        }),
      )
      .on(ticketAnsweredV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, ticketAnsweredMessage(event), {
          ticketId: event.ticketId,
        }),
      )
      .on(failureStreakV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, failureStreakMessage(event), {
          model: event.model,
          suggestedModel: event.suggestedModel,
        }),
      )
      // Thousands of users: recorded here at once, told by the broadcast worker in batches.
      .on(incidentDeclaredV1, (event, { manager }) =>
        this.broadcasts.accept(
          manager,
          `incident:${event.incidentId}`,
          incidentMessage(event),
          { incidentId: event.incidentId, model: event.model, alternative: event.alternative },
          event.userIds,
        ),
      )
      .on(jobFailedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, jobFailedMessage(event), {
          jobId: event.jobId,
          reason: event.reason,
          refunded: event.refunded,
        }),
      )
      .on(jobSucceededV1, (event, { manager, envelope }) =>
        this.jobsReady.add(manager, event, envelope.id),
      )
      .on(refundDecidedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, refundDecidedMessage(event), {
          refundId: event.refundId,
          chargeId: event.chargeId,
          decision: event.decision,
          amount: event.amount,
          rule: event.rule,
        }),
      )
      .on(refundProcessedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, refundProcessedMessage(event), {
          refundId: event.refundId,
          status: event.status,
          amount: event.amount,
        }),
      )
      .on(loginChallengedV2, (event, { manager, envelope }) =>
        this.notifySealed(
          manager,
          envelope.id,
          event.userId,
          { sealed: event.sealedCode, purpose: 'login_code' },
          (code) => loginCodeMessage(event, code),
          { challengeId: event.challengeId },
        ),
      )
      .on(loginThrottledV2, (event, { manager, envelope }) =>
        this.notifySealed(
          manager,
          envelope.id,
          event.userId,
          { sealed: event.sealedUnlockToken, purpose: 'unlock_token' },
          (token) => loginThrottledMessage(event, token),
          { lockedUntil: event.lockedUntil },
        ),
      )
      .on(passwordResetRequestedV2, (event, { manager, envelope }) =>
        this.notifySealed(
          manager,
          envelope.id,
          event.userId,
          { sealed: event.sealedResetToken, purpose: 'reset_token' },
          (token) => passwordResetMessage(event, token),
          {},
        ),
      )
      .on(passwordChangedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, passwordChangedMessage(event), {}),
      )
      .on(suspensionAppealDecidedV1, (event, { manager, envelope }) =>
        this.notifier.notify(manager, event.userId, envelope.id, appealDecidedMessage(event), {
          suspensionId: event.suspensionId,
          decision: event.decision,
        }),
      )
      .on(userStatusChangedV1, async (event, { manager, envelope }) => {
        const message = statusChangedMessage(event);
        if (message) {
          await this.notifier.notify(manager, event.userId, envelope.id, message, {
            status: event.status,
            cause: event.cause,
          });
        }
      })
      .on(subscriptionChangedV1, async (event, { manager, envelope }) => {
        const message = subscriptionChangedMessage(event);
        if (message) {
          await this.notifier.notify(manager, event.userId, envelope.id, message, {
            plan: event.plan,
            previousPlan: event.previousPlan,
          });
        }
      });
  }
}
