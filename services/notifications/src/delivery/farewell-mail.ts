import { Injectable } from '@nestjs/common';
import type { deletionCompletedV1, EventPayload } from '@fluxnote/contracts';
import { brandOf, renderEmail, type Message } from '../messages/templates';
import { EmailSender } from './email-sender';

export function deletionDoneMessage(brandName: string): Message {
  return {
    category: 'security',
    title: 'Your account is deleted',
    paragraphs: [
      `As you asked, we deleted your ${brandName} account and everything in it: your generations and their outputs, your credits and billing history, your support tickets, your notifications and your log-in history.`,
      'Only a record that the deletion happened remains, without any of your personal data. This is the last email we send to this address.',
      'You are welcome to sign up again any time.',
    ],
    channels: ['email'],
  };
}

/**
 * The last email to a deleted account. The account and everything notifications
 * knew of the user are gone by now, so this is sent straight from the event —
 * no delivery row keeps the address. A failed send fails the handler and the
 * bus retries it; the Message-ID is stable per deletion, so a copy sent twice
 * after a crash is one message to mail systems.
 */
@Injectable()
export class FarewellMail {
  constructor(private readonly email: EmailSender) {}

  async send(event: EventPayload<typeof deletionCompletedV1>): Promise<void> {
    const brand = brandOf(event.brand);
    const rendered = renderEmail(deletionDoneMessage(brand.name), brand);
    await this.email.send({
      messageId: `<deletion-${event.deletionId}@notifications.fluxnote>`,
      from: brand.from,
      to: event.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
  }
}
