import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ProblemError } from '@fluxnote/contracts';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { providerTaskRows, providerTaskStatuses } from './provider-tasks.repository';

/** A delivery older (or newer) than this is refused: a replayed capture is useless. */
const TOLERANCE_SECONDS = 300;

const deliverySchema = z.object({
  id: z.string().min(1).max(200),
  status: z.enum(providerTaskStatuses),
  output_url: z.string().url().max(2000).optional(),
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
});

/**
 * Signed status deliveries from the HTTP model provider: `X-Provider-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` with `MODEL_PROVIDER_WEBHOOK_SECRET`, checked on
 * the exact bytes received. A known task's new state is stored and the job waiting on it is
 * woken; a terminal state is never overwritten, so a late or repeated delivery changes nothing.
 */
@Injectable()
export class ProviderWebhooks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {}

  async receive(
    payload: Buffer,
    signature: string,
  ): Promise<{ outcome: 'recorded' | 'unchanged' | 'ignored'; taskId: string }> {
    const secret = this.config.MODEL_PROVIDER_WEBHOOK_SECRET;
    if (!secret) {
      throw ProblemError.notFound(
        'Provider webhooks are not set up (MODEL_PROVIDER_WEBHOOK_SECRET).',
      );
    }
    verify(payload, signature, secret);
    let delivery: z.infer<typeof deliverySchema>;
    try {
      delivery = deliverySchema.parse(JSON.parse(payload.toString('utf8')));
    } catch {
      throw ProblemError.badRequest('The delivery is not a task (id, status, output_url?).');
    }
    if (!(await providerTaskRows.isKnown(this.dataSource, delivery.id))) {
      // Not ours (or its job was deleted): answered 200 so the provider stops sending it.
      return { outcome: 'ignored', taskId: delivery.id };
    }
    const changed = await providerTaskRows.deliver(this.dataSource, delivery);
    return { outcome: changed ? 'recorded' : 'unchanged', taskId: delivery.id };
  }
}

function verify(payload: Buffer, header: string, secret: string): void {
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) {
    throw ProblemError.badRequest('X-Provider-Signature must be t=<unix seconds>,v1=<hex>.');
  }
  if (Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS) {
    throw ProblemError.badRequest('The delivery is too old or from the future.');
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
    throw ProblemError.badRequest('The provider signature does not match.');
  }
}
