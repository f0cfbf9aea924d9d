import { Controller, Headers, Inject, Req, type RawBodyRequest } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ProblemError } from '@fluxnote/contracts';
import { ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { EndsSessions } from '../auth/ends-sessions';
import { Endpoint } from '../api/endpoint';
import { webhookOperations as api } from './webhooks.api';
import { supportOperations } from './support.api';

/** The exact bytes received and their signature header, both required. */
function signedDelivery(
  request: RawBodyRequest<Request>,
  signature: string | undefined,
  header: string,
  what: string,
): { payload: Buffer; signature: string } {
  if (!signature) {
    throw ProblemError.badRequest(`The ${header} header is missing.`, { field: header });
  }
  if (!request.rawBody || request.rawBody.length === 0) {
    throw ProblemError.badRequest(`${what} is a JSON body (application/json).`);
  }
  return { payload: request.rawBody, signature };
}

/**
 * Webhooks from outside providers. No bearer token: Stripe signs each delivery,
 * and billing checks that signature on the exact bytes received, so the gateway
 * forwards the raw body untouched (it is never parsed and re-serialized).
 */
@Controller()
export class WebhooksController {
  constructor(private readonly clients: ServiceClients) {}

  @Endpoint(api.stripe)
  async stripe(
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; eventId: string; type: string; outcome: string }> {
    const result = await this.clients.stripeWebhooks.handleStripeWebhook(
      signedDelivery(request, signature, 'Stripe-Signature', 'A Stripe event'),
    );
    return { received: true, eventId: result.eventId, type: result.type, outcome: result.outcome };
  }

  /**
   * Task deliveries from the HTTP model provider, signed in X-Provider-Signature; generation
   * checks the signature on the exact bytes and wakes the job waiting on that task.
   */
  @Endpoint(api.modelProvider)
  async modelProvider(
    @Req() request: RawBodyRequest<Request>,
    @Headers('x-provider-signature') signature: string | undefined,
  ): Promise<{ received: true; taskId: string; outcome: string }> {
    const result = await this.clients.providers.receiveProviderWebhook(
      signedDelivery(request, signature, 'X-Provider-Signature', 'A provider delivery'),
    );
    return { received: true, taskId: result.taskId, outcome: result.outcome };
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Email to support from the mail provider: raw MIME (message/rfc822), with the
 * shared secret in X-Inbound-Email-Secret (compared in constant time). 200 with
 * what became of it — opened, appended, duplicate, or ignored (a sender with no
 * account, or one the provider's SPF/DKIM/DMARC checks did not pass) — so the
 * provider does not send it again.
 */
@Controller()
export class InboundEmailController {
  constructor(
    private readonly clients: ServiceClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @EndsSessions()
  @Endpoint(supportOperations.inboundEmail)
  async inboundEmail(
    @Req() request: Request,
    @Headers('x-inbound-email-secret') secret: string | undefined,
  ): Promise<{ outcome: string; ticketId: string | null; reason: string | null }> {
    const expected = this.config.INBOUND_EMAIL_SECRET;
    if (!expected) {
      throw ProblemError.notFound('Inbound email is not set up (INBOUND_EMAIL_SECRET).');
    }
    if (!secret || !timingSafeEqual(digest(secret), digest(expected))) {
      throw ProblemError.unauthorized('The inbound email secret is missing or wrong.');
    }
    const raw: unknown = request.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      throw new ProblemError({
        type: 'unsupported-media-type',
        title: 'Unsupported media type',
        status: 415,
        detail: 'Send the email as raw MIME with Content-Type: message/rfc822.',
      });
    }
    const result = await this.clients.inboundEmail.receiveEmail({ raw });
    return {
      outcome: result.outcome,
      ticketId: result.ticketId || null,
      reason: result.reason || null,
    };
  }
}
