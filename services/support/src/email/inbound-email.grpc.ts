import { Controller } from '@nestjs/common';
import { supportV1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { InboundEmail } from './inbound-email';

/** `InboundEmailService`: email to support, as raw MIME from the mail provider. */
@Controller()
@AlsoServedAs(supportV1.SUPPORT_SERVICE_NAME)
@supportV1.InboundEmailServiceControllerMethods()
export class InboundEmailGrpcController implements supportV1.InboundEmailServiceController {
  constructor(private readonly inbound: InboundEmail) {}

  async receiveEmail(
    request: supportV1.InboundEmailRequest,
  ): Promise<supportV1.InboundEmailResult> {
    const result = await this.inbound.receive(Buffer.from(request.raw));
    return {
      outcome: result.outcome,
      ticketId: result.ticketId ?? '',
      reason: result.reason ?? '',
    };
  }
}
