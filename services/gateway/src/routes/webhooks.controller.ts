import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ProblemError } from '@fluxnote/contracts';
import { ServiceClients } from '../clients/service-clients';

/**
 * Webhooks from outside providers. No bearer token: Stripe signs each delivery,
 * and billing checks that signature on the exact bytes received, so the gateway
 * forwards the raw body untouched (it is never parsed and re-serialized).
 */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly clients: ServiceClients) {}

  @Post('stripe')
  @HttpCode(200)
  async stripe(
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; eventId: string; type: string; outcome: string }> {
    if (!signature) {
      throw ProblemError.badRequest('The Stripe-Signature header is missing.', {
        field: 'Stripe-Signature',
      });
    }
    if (!request.rawBody || request.rawBody.length === 0) {
      throw ProblemError.badRequest('A Stripe event is a JSON body (application/json).');
    }
    const result = await this.clients.payments.handleStripeWebhook({
      payload: request.rawBody,
      signature,
    });
    return { received: true, eventId: result.eventId, type: result.type, outcome: result.outcome };
  }
}
