import { Body, Controller, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { generationV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { EventStreams, resumeAfter } from '../http/event-streams';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { generationView, type GenerationView } from './views';
import { Endpoint } from '../api/endpoint';
import {
  generationOperations as api,
  listQuery,
  submitBody,
  type QuoteView,
  type SharedView,
  type SubmitInput,
} from './generations.api';

/** The gRPC request for a submit or a quote (a quote has no idempotency key). */
function jobRequest(
  caller: Caller,
  input: SubmitInput,
  idempotencyKey = '',
): generationV1.SubmitJobRequest {
  return {
    userId: caller.id,
    idempotencyKey,
    model: input.model,
    mode: input.mode,
    prompt: input.prompt,
    durationSec: input.durationSec,
    aspectRatio: input.aspectRatio,
    template: input.template,
    projectId: input.projectId,
    country: caller.country ?? '',
    options: input.options && {
      voiceCloneId: input.options.voiceClone,
      voiceId: input.options.voiceId,
      faceIdentityId: input.options.faceIdentity,
      captions: input.options.captions,
      imageUrl: input.options.imageUrl,
    },
  };
}

@UseGuards(AuthGuard)
@Controller()
export class GenerationsController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly idempotency: IdempotencyService,
    private readonly streams: EventStreams,
  ) {}

  @Endpoint(api.submit)
  async submit(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const input = validate(submitBody, body);
    const result = await this.idempotency.run(
      caller.id,
      idempotencyKey,
      { route: 'POST /v1/generations', input },
      async () => {
        const job = await this.clients.jobs.submitJob(jobRequest(caller, input, idempotencyKey));
        return { status: 202, body: generationView(job) };
      },
    );
    response.status(result.status);
    return result.body;
  }

  /** Prices a job and checks it against the model's limits and the caller's region; nothing is held. */
  @Endpoint(api.quote)
  async quote(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<QuoteView> {
    const input = validate(submitBody, body);
    const quote = await this.clients.catalog.quoteJob(jobRequest(caller, input));
    return {
      videoCredits: quote.credits?.video ?? 0,
      imageCredits: quote.credits?.image ?? 0,
      internalCost: quote.internalCost,
      durationSec: quote.durationSec,
      aspectRatio: quote.aspectRatio,
    };
  }

  @Endpoint(api.list)
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: unknown,
  ): Promise<{ items: GenerationView[]; nextCursor: string | null }> {
    const { limit, cursor } = validate(listQuery, query);
    const page = await this.clients.jobs.listJobs({
      userId: caller.id,
      limit,
      cursor: cursor ?? '',
    });
    return { items: page.items.map(generationView), nextCursor: page.nextCursor || null };
  }

  /** Live status of all the caller's jobs (SSE, `event: status`; `Last-Event-ID` resumes). */
  @Endpoint(api.streamAll)
  async streamAll(
    @CurrentCaller() caller: Caller,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.streamStatus(caller.id, '', lastEventId, request, response);
  }

  /** Live status of one job. */
  @Endpoint(api.streamOne)
  async streamOne(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.streamStatus(caller.id, id, lastEventId, request, response);
  }

  private streamStatus(
    userId: string,
    jobId: string,
    lastEventId: string | undefined,
    request: Request,
    response: Response,
  ): Promise<void> {
    return this.streams.serve(request, response, resumeAfter(lastEventId), {
      event: 'status',
      poll: async (afterSeq, waitMs) => {
        const batch = await this.clients.jobs.waitJobEvents(
          { userId, jobId, afterSeq, waitMs },
          { deadlineMs: waitMs + 5000 },
        );
        return { items: batch.events, lastSeq: batch.lastSeq };
      },
      render: (event) => ({
        id: event.seq,
        data: { id: event.jobId, status: event.status, at: event.at },
      }),
    });
  }

  @Endpoint(api.get)
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<GenerationView> {
    return generationView(await this.clients.jobs.getJob({ userId: caller.id, jobId: id }));
  }

  /** A job that has not started: cancelled, its credits released at once (409 once it runs). */
  @Endpoint(api.cancel)
  async cancel(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<GenerationView> {
    return generationView(await this.clients.jobs.cancelJob({ userId: caller.id, jobId: id }));
  }

  /** Removes the output reference, the job's data and its log (a running job: 409). */
  @Endpoint(api.delete)
  async delete(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.clients.jobs.deleteJob({ userId: caller.id, jobId: id });
  }

  /** A new unguessable link to the output (an earlier link stops working); the token is shown once. */
  @Endpoint(api.share)
  async share(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ url: string; token: string; createdAt: string }> {
    const link = await this.clients.jobs.shareJob({ userId: caller.id, jobId: id });
    return { url: `/v1/shared/${link.token}`, token: link.token, createdAt: link.createdAt };
  }

  @Endpoint(api.unshare)
  async unshare(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.clients.jobs.unshareJob({ userId: caller.id, jobId: id });
  }
}

/** Deleting a project deletes its generations and their logs. */
@UseGuards(AuthGuard)
@Controller()
export class ProjectsController {
  constructor(private readonly clients: ServiceClients) {}

  @Endpoint(api.deleteProject)
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ deletedGenerations: number }> {
    const result = await this.clients.jobs.deleteProject({
      userId: caller.id,
      projectId: id,
    });
    return { deletedGenerations: result.deleted };
  }
}

/** What a share link shows, to anyone holding it (no account needed): the output and its kind. */
@Controller()
export class SharedGenerationsController {
  constructor(private readonly clients: ServiceClients) {}

  @Endpoint(api.shared)
  async shared(@Param('token') token: string): Promise<SharedView> {
    const job = await this.clients.jobs.getSharedJob({ token });
    return {
      id: job.id,
      model: job.model,
      mode: job.mode,
      createdAt: job.createdAt,
      output: job.output ?? null,
    };
  }
}
