import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotifyWaiter } from '@fluxnote/persistence';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { ModelProvider, type ProviderRequest, type ProviderResult } from './model-provider';
import type { LikenessMedia } from '../likenesses/likenesses';

import {
  finalTaskStatuses,
  HTTP_PROVIDER,
  PROVIDER_TASK_CHANNEL,
  providerTaskRows,
  type ProviderTask,
} from './provider-tasks.repository';

const terminal = new Set(finalTaskStatuses);
const MAX_POLL_INTERVAL_MS = 10_000;

/** A voice sample or photo in a create request. */
const mediaBody = (media: LikenessMedia) => ({
  media_type: media.mediaType,
  data: media.data.toString('base64'),
});

type CallResult<T> = { ok: true; value: T } | Extract<ProviderResult, { ok: false }>;

/**
 * An HTTP model provider with a create / poll / cancel / webhook API:
 * `POST /v1/generations` (with `Idempotency-Key`: the job id, so a resumed job never
 * starts a second task, and `no_training: true` on every create), `GET /v1/generations/{id}`,
 * `POST /v1/generations/{id}/cancel`, and signed deliveries to our webhook
 * (`ProviderWebhooks`). A job waits on its task by webhook or, failing that, by polls that
 * back off; past the model's time limit the task is cancelled. HTTP 5xx, 429 and timeouts
 * are transient (the worker retries, and a retry resumes the same task).
 */
@Injectable()
export class HttpModelProvider extends ModelProvider implements OnModuleDestroy {
  readonly name = HTTP_PROVIDER;
  private readonly logger = new Logger(HttpModelProvider.name);
  private readonly waiter: NotifyWaiter;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {
    super();
    this.waiter = new NotifyWaiter(config.DATABASE_URL, PROVIDER_TASK_CHANNEL, (error) =>
      this.logger.warn(`task listener lost: ${error.message}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.waiter.close();
  }

  async run(request: ProviderRequest): Promise<ProviderResult> {
    const deadline = Date.now() + request.timeLimitMs;
    let task: ProviderTask;
    const known = await this.knownTask(request.jobId);
    if (known) {
      task = known; // a retry or a new attempt resumes the job's task
    } else {
      const created = await this.create(request);
      if (!created.ok) {
        return created;
      }
      await this.save(request.jobId, created.value);
      task = created.value;
    }
    let interval = this.config.MODEL_PROVIDER_POLL_MS;
    while (!terminal.has(task.status)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.abandon(request.jobId);
        return {
          ok: false,
          reason: 'timeout',
          transient: false,
          detail: `The provider had not finished within the model's limit of ${Math.round(request.timeLimitMs / 1000)} s; the task was cancelled.`,
        };
      }
      // A webhook delivery wakes this at once; otherwise the next poll.
      const delivered = await this.waiter.waitFor(
        task.id,
        async () => {
          const known = await this.knownTask(request.jobId);
          return known && terminal.has(known.status) ? [known] : [];
        },
        Math.min(interval, left),
      );
      const [fromWebhook] = delivered;
      if (fromWebhook) {
        task = fromWebhook;
        break;
      }
      const polled: CallResult<ProviderTask> = await this.call<ProviderTask>(
        'GET',
        `/v1/generations/${task.id}`,
      );
      if (!polled.ok) {
        return polled;
      }
      task = polled.value;
      await this.save(request.jobId, task);
      interval = Math.min(interval * 2, MAX_POLL_INTERVAL_MS);
    }
    return outcomeOf(task);
  }

  /** Cancels the job's task if it is still running (best effort: the job ends either way). */
  override async abandon(jobId: string): Promise<void> {
    const task = await this.knownTask(jobId);
    if (!task || terminal.has(task.status)) {
      return;
    }
    const cancelled = await this.call<ProviderTask>('POST', `/v1/generations/${task.id}/cancel`);
    if (cancelled.ok) {
      await this.save(jobId, cancelled.value);
    } else {
      this.logger.warn(`cancel of task ${task.id} failed: ${cancelled.detail}`);
    }
  }

  private create(request: ProviderRequest): Promise<CallResult<ProviderTask>> {
    return this.call<ProviderTask>(
      'POST',
      '/v1/generations',
      {
        model: request.model,
        mode: request.mode,
        prompt: request.prompt,
        duration_seconds: request.durationSec,
        aspect_ratio: request.aspectRatio,
        no_training: request.noTraining,
        ...(request.faceIdentity ? { face_identity: mediaBody(request.faceIdentity) } : {}),
        ...(request.voiceover
          ? {
              voiceover:
                'voiceId' in request.voiceover
                  ? { voice_id: request.voiceover.voiceId }
                  : { voice_sample: mediaBody(request.voiceover.sample) },
            }
          : {}),
        ...(request.captions ? { captions: request.captions } : {}),
        ...(request.inputImageUrl ? { image_url: request.inputImageUrl } : {}),
        ...(this.config.MODEL_PROVIDER_WEBHOOK_URL
          ? { webhook_url: this.config.MODEL_PROVIDER_WEBHOOK_URL }
          : {}),
      },
      request.jobId,
    );
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<CallResult<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.config.MODEL_PROVIDER_URL}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.config.MODEL_PROVIDER_API_KEY}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.config.MODEL_PROVIDER_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        ok: false,
        reason: timedOut ? 'timeout' : 'provider_5xx',
        transient: true,
        detail: timedOut
          ? `The provider did not answer ${method} ${path} within ${this.config.MODEL_PROVIDER_TIMEOUT_MS} ms.`
          : `The provider could not be reached: ${String(error)}`,
      };
    }
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) {
      return {
        ok: false,
        reason: 'provider_5xx',
        transient: true,
        detail: `The provider answered ${response.status} to ${method} ${path}.`,
      };
    }
    if (!response.ok) {
      return {
        ok: false,
        reason: 'internal',
        transient: false,
        detail: `The provider refused ${method} ${path} with ${response.status}: ${text.slice(0, 300)}`,
      };
    }
    try {
      return { ok: true, value: JSON.parse(text) as T };
    } catch {
      return {
        ok: false,
        reason: 'provider_5xx',
        transient: true,
        detail: `The provider's answer to ${method} ${path} was not JSON.`,
      };
    }
  }

  private async knownTask(jobId: string): Promise<ProviderTask | undefined> {
    return providerTaskRows.ofJob(this.dataSource, jobId);
  }

  /** Records what the provider said; a terminal state (from a webhook) is never overwritten. */
  private async save(jobId: string, task: ProviderTask): Promise<void> {
    await providerTaskRows.put(this.dataSource, jobId, task);
  }
}

function outcomeOf(task: ProviderTask): ProviderResult {
  const said = task.error?.message ? ` The provider said: ${task.error.message}` : '';
  switch (task.status) {
    case 'succeeded':
      return task.output_url
        ? { ok: true, outputUrl: task.output_url }
        : {
            ok: false,
            reason: 'internal',
            transient: false,
            detail: 'The provider finished without an output.',
          };
    case 'moderated':
      return {
        ok: false,
        reason: 'output_blocked',
        transient: false,
        detail: `The provider’s moderation withheld the generated output.${said}`,
      };
    case 'failed':
      return {
        ok: false,
        reason: 'crash',
        transient: false,
        detail: `The model failed at the provider.${said}`,
      };
    case 'cancelled':
    case 'queued':
    case 'running':
      return {
        ok: false,
        reason: 'internal',
        transient: false,
        detail: `The provider's task ended as ${task.status}.`,
      };
  }
}
