import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { isUuid, ProblemError, supportV1, parseInput, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { AppealTickets } from './appeal-tickets';
import { openInput, toMessage, toTicket } from './ticket-messages';
import { TicketStream } from './ticket-stream';
import { TicketsService } from './tickets.service';

/** `TicketsService`: a customer's tickets and their live conversation. */
@Controller()
@AlsoServedAs(supportV1.SUPPORT_SERVICE_NAME)
@supportV1.TicketsServiceControllerMethods()
export class TicketsGrpcController implements supportV1.TicketsServiceController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly stream: TicketStream,
    private readonly appeals: AppealTickets,
  ) {}

  async openTicket(request: supportV1.OpenTicketRequest): Promise<supportV1.Ticket> {
    const input = parseInput(openInput, {
      channel: request.channel,
      subject: request.subject,
      body: request.body,
      jobIds: request.jobIds,
      category: request.category || undefined,
    });
    return toTicket(
      await this.tickets.open(requireUuid(request.userId, 'userId'), {
        channel: input.channel,
        subject: input.subject,
        body: input.body,
        jobIds: input.jobIds,
        chosen: input.category,
      }),
    );
  }

  async listTickets(request: supportV1.ListTicketsRequest): Promise<supportV1.TicketList> {
    return {
      tickets: (await this.tickets.list(requireUuid(request.userId, 'userId'))).map(toTicket),
    };
  }

  async getTicket(request: supportV1.GetTicketRequest): Promise<supportV1.Ticket> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.tickets.get(requireUuid(request.userId, 'userId'), request.ticketId),
    );
  }

  async addMessage(request: supportV1.AddMessageRequest): Promise<supportV1.Ticket> {
    const { body } = parseInput(
      z.object({ body: z.string().trim().min(1, 'is required').max(20_000) }),
      {
        body: request.body,
      },
    );
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.tickets.addMessage(requireUuid(request.userId, 'userId'), request.ticketId, body),
    );
  }

  async waitMessages(request: supportV1.WaitMessagesRequest): Promise<supportV1.MessageBatch> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    const batch = await this.stream.waitAfter(
      requireUuid(request.viewerId, 'viewerId'),
      request.ticketId,
      request.afterSeq,
      request.waitMs,
    );
    return {
      messages: batch.messages.map(toMessage),
      lastSeq: batch.lastSeq,
      status: batch.status,
    };
  }

  async openAppealTicket(request: supportV1.OpenAppealTicketRequest): Promise<supportV1.Ticket> {
    return toTicket(await this.appeals.ofUser(requireUuid(request.userId, 'userId')));
  }
}
