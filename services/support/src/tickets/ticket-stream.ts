import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { NotifyWaiter } from '@fluxnote/persistence';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';
import { AgentDesk } from './agent-desk.service';
import { TICKET_MESSAGES_CHANNEL, ticketRows, type TicketMessage } from './tickets.repository';
import { TicketsService } from './tickets.service';

export interface MessageBatch {
  messages: TicketMessage[];
  /** Resume after this (the last message's number, or where the wait started). */
  lastSeq: number;
  status: string;
}

/**
 * A ticket's live conversation for both sides (the gateway turns it into
 * Server-Sent Events): the messages after a number, at once or as soon as one
 * is written. The customer sees their own tickets, agents any they may take
 * (security tickets and appeals: senior agents).
 */
@Injectable()
export class TicketStream implements OnModuleDestroy {
  private readonly logger = new Logger(TicketStream.name);
  private readonly waiter: NotifyWaiter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
    private readonly desk: AgentDesk,
    @Inject(SUPPORT_CONFIG) config: SupportConfig,
  ) {
    this.waiter = new NotifyWaiter(config.DATABASE_URL, TICKET_MESSAGES_CHANNEL, (error) =>
      this.logger.warn(`ticket listener lost: ${error.message}`),
    );
  }

  /** `afterSeq` below zero: from now on. */
  async waitAfter(
    viewerId: string,
    ticketId: string,
    afterSeq: number,
    waitMs: number,
  ): Promise<MessageBatch> {
    const ticket = await this.visibleTicket(viewerId, ticketId);
    const from = afterSeq < 0 ? ticket.lastSeq : afterSeq;
    const messages = await this.waiter.waitFor(
      ticketId,
      () => this.tickets.messagesAfter(ticketId, from),
      waitMs,
    );
    const row = await ticketRows.byId(this.dataSource, ticketId);
    return {
      messages,
      lastSeq: messages.at(-1)?.seq ?? from,
      status: row?.status ?? 'closed',
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.waiter.close();
  }

  private async visibleTicket(viewerId: string, ticketId: string): Promise<{ lastSeq: number }> {
    const row = await ticketRows.visibility(this.dataSource, ticketId);
    if (!row) {
      throw ProblemError.notFound(`No ticket ${ticketId}.`);
    }
    if (row.userId !== viewerId) {
      const senior = await this.desk.assertAgent(viewerId).catch(() => {
        throw ProblemError.notFound(`No ticket ${ticketId}.`);
      });
      if (row.forSeniors && !senior) {
        throw ProblemError.forbidden(
          'This ticket is for senior agents (security, suspension appeals).',
        );
      }
    }
    return { lastSeq: row.lastSeq };
  }
}
