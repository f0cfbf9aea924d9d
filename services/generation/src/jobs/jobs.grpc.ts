import { Controller, Inject } from '@nestjs/common';
import { generationV1, ProblemError, requireUuid } from '@fluxnote/contracts';
import { IncidentsService } from '../incidents/incidents.service';
import { isProduction } from '@fluxnote/config';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { ModelSimulator } from '../simulator/model-simulator';
import { simulatedFailures, type SimulatedFailure } from '../simulator/simulator-model.entity';
import { CatalogService } from '../catalog/catalog.service';
import type { JobRequest } from '../catalog/job-request-rules';
import { defaultModels, findModel } from '../catalog/model-catalog';
import type { JobEntity } from './job.entity';
import { JobsService } from './jobs.service';
import { SubmitJobUseCase } from './use-cases/submit-job.use-case';
import { PromptApprovals } from '../safety/prompt-approvals';
import { JobControls } from './job-controls';
import { JobStatusStream } from './job-status-stream';
import { ProviderWebhooks } from '../providers/provider-webhooks';
import { Likenesses, type Likeness } from '../likenesses/likenesses';
import { likenessKinds, type LikenessKind } from '../likenesses/likeness-media';
import { laneName } from './queue.rules';

export function toJob(job: JobEntity): generationV1.Job {
  return {
    id: job.id,
    userId: job.userId,
    status: job.status === 'reserving' ? 'queued' : job.status,
    model: job.model,
    mode: job.mode,
    prompt: job.prompt,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    reserved: { video: job.videoCredits, image: job.imageCredits },
    durationSec: job.durationSec || undefined,
    aspectRatio: job.aspectRatio,
    projectId: job.projectId ?? undefined,
    lane: laneName(job.lane),
    options: jobOptions(job),
    failure: job.failureReason
      ? { reason: job.failureReason, refunded: job.refunded, detail: job.failureDetail ?? '' }
      : undefined,
    output: job.outputUrl ? { url: job.outputUrl } : undefined,
  };
}

function jobOptions(job: JobEntity): generationV1.JobOptions | undefined {
  const options = {
    voiceCloneId: job.voiceCloneId ?? undefined,
    voiceId: job.voiceId ?? undefined,
    faceIdentityId: job.faceIdentityId ?? undefined,
    captions: job.captions ?? undefined,
    imageUrl: job.inputImageUrl ?? undefined,
  };
  return Object.values(options).some((v) => v !== undefined) ? options : undefined;
}

/** What a submit and a quote both ask of the catalog. */
function jobRequest(request: generationV1.SubmitJobRequest): JobRequest {
  const options = request.options ?? {};
  return {
    model: request.model,
    mode: request.mode,
    prompt: request.prompt,
    durationSec: request.durationSec,
    aspectRatio: request.aspectRatio,
    template: request.template,
    faceIdentity: Boolean(options.faceIdentityId),
    voiceClone: Boolean(options.voiceCloneId),
    voiceId: options.voiceId,
    captions: options.captions,
    imageUrl: options.imageUrl,
    country: request.country || null,
  };
}

function likenessKind(kind: string): LikenessKind {
  if (!(likenessKinds as readonly string[]).includes(kind)) {
    throw ProblemError.badRequest(`kind must be one of ${likenessKinds.join(', ')}.`, {
      field: 'kind',
    });
  }
  return kind as LikenessKind;
}

function toLikeness(likeness: Likeness): generationV1.Likeness {
  return {
    id: likeness.id,
    kind: likeness.kind,
    name: likeness.name,
    mediaType: likeness.mediaType,
    bytes: likeness.bytes,
    createdAt: likeness.createdAt.toISOString(),
  };
}

@Controller()
@generationV1.GenerationServiceControllerMethods()
export class JobsGrpcController implements generationV1.GenerationServiceController {
  constructor(
    private readonly submitJobUseCase: SubmitJobUseCase,
    private readonly jobs: JobsService,
    private readonly simulator: ModelSimulator,
    private readonly catalog: CatalogService,
    private readonly incidents: IncidentsService,
    private readonly approvals: PromptApprovals,
    private readonly controls: JobControls,
    private readonly statusStream: JobStatusStream,
    private readonly providerWebhooks: ProviderWebhooks,
    private readonly likenesses: Likenesses,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {}

  async submitJob(request: generationV1.SubmitJobRequest): Promise<generationV1.Job> {
    if (!request.userId) {
      throw ProblemError.unauthorized();
    }
    const job = await this.submitJobUseCase.execute({
      ...jobRequest(request),
      userId: request.userId,
      idempotencyKey: request.idempotencyKey || null,
      projectId: request.projectId,
      voiceCloneId: request.options?.voiceCloneId || undefined,
      faceIdentityId: request.options?.faceIdentityId || undefined,
    });
    return toJob(job);
  }

  async getJob(request: generationV1.GetJobRequest): Promise<generationV1.Job> {
    return toJob(await this.jobs.get(request.userId, request.jobId));
  }

  async listJobs(request: generationV1.ListJobsRequest): Promise<generationV1.JobPage> {
    const page = await this.jobs.list(request.userId, request.limit, request.cursor || undefined);
    return { items: page.items.map(toJob), nextCursor: page.nextCursor ?? '' };
  }

  listModels(request: generationV1.ListModelsRequest): generationV1.ModelList {
    return {
      models: this.catalog.models(request.country || null).map((m) => ({
        id: m.id,
        name: m.name,
        modes: m.modes,
        internalCostPerSecond: m.internalCostPerSecond,
        maxDurationSec: m.maxDurationSec,
        defaultDurationSec: m.defaultDurationSec,
        maxPromptLength: m.maxPromptLength,
        aspectRatios: m.aspectRatios,
      })),
    };
  }

  listTemplates(): generationV1.TemplateList {
    return { templates: this.catalog.templates() };
  }

  async quoteJob(request: generationV1.SubmitJobRequest): Promise<generationV1.JobQuote> {
    const { quote } = this.catalog.evaluate(jobRequest(request));
    // a quote prices only the caller's own voice clone and face identity
    await this.likenesses.assertJobUses(requireUuid(request.userId, 'userId'), {
      voiceCloneId: request.options?.voiceCloneId || undefined,
      faceIdentityId: request.options?.faceIdentityId || undefined,
    });
    return {
      credits: { video: quote.videoCredits, image: quote.imageCredits },
      internalCost: quote.internalCost,
      durationSec: quote.durationSec,
      aspectRatio: quote.aspectRatio,
    };
  }

  async declareIncident(
    request: generationV1.DeclareIncidentRequest,
  ): Promise<generationV1.Incident> {
    const actorId = requireUuid(request.actorId, 'actorId');
    const message = request.message.trim();
    if (!message || message.length > 2000) {
      throw ProblemError.badRequest('message is required (at most 2000 characters).', {
        field: 'message',
      });
    }
    const incident = await this.incidents.declare(actorId, {
      model: request.model,
      message,
      eta: request.eta,
      alternative: request.alternative || null,
    });
    return {
      id: incident.id,
      model: incident.model,
      message: incident.message,
      eta: incident.eta?.toISOString() ?? '',
      alternative: incident.alternative ?? '',
      declaredAt: incident.declaredAt.toISOString(),
      affectedUsers: incident.affectedUsers,
    };
  }

  async setSimulatorModel(
    request: generationV1.SetSimulatorModelRequest,
  ): Promise<generationV1.SimulatorModel> {
    if (isProduction(this.config)) {
      throw ProblemError.forbidden('The model simulator is not available in production mode.');
    }
    if (!findModel(defaultModels, request.model)) {
      throw ProblemError.notFound(`Unknown model "${request.model}".`);
    }
    const failure = request.failure ?? null;
    if (failure !== null && !(simulatedFailures as readonly string[]).includes(failure)) {
      throw ProblemError.badRequest(
        `failure must be null or one of ${simulatedFailures.join(', ')}.`,
        { field: 'failure' },
      );
    }
    if (request.latencyMs !== undefined && (request.latencyMs < 0 || request.latencyMs > 900_000)) {
      throw ProblemError.badRequest('latencyMs must be between 0 and 900000.', {
        field: 'latencyMs',
      });
    }
    const saved = await this.simulator.configure(
      request.model,
      failure as SimulatedFailure | null,
      request.latencyMs ?? null,
    );
    return {
      model: saved.model,
      failure: saved.failure ?? undefined,
      latencyMs: saved.latencyMs ?? this.config.SIMULATOR_DEFAULT_LATENCY_MS,
    };
  }

  async getJobLog(request: generationV1.GetJobLogRequest): Promise<generationV1.JobLog> {
    const { job, lines } = await this.jobs.log(requireUuid(request.jobId, 'jobId'));
    return {
      job: toJob(job),
      lines: lines.map((line) => ({
        at: line.at.toISOString(),
        kind: line.kind,
        message: line.message,
        dataJson: JSON.stringify(line.data),
      })),
    };
  }

  async approvePrompt(
    request: generationV1.ApprovePromptRequest,
  ): Promise<generationV1.PromptApproval> {
    const approval = await this.approvals.approve(
      requireUuid(request.jobId, 'jobId'),
      requireUuid(request.agentId, 'agentId'),
      request.ticketId ? requireUuid(request.ticketId, 'ticketId') : null,
      request.note.trim(),
    );
    return {
      job: toJob(approval.job),
      approvedAt: approval.approvedAt.toISOString(),
      creditPool: approval.creditPool,
      agentId: approval.agentId ?? '',
    };
  }

  async cancelJob(request: generationV1.GetJobRequest): Promise<generationV1.Job> {
    return toJob(await this.controls.cancel(requireUuid(request.userId, 'userId'), request.jobId));
  }

  async deleteJob(request: generationV1.GetJobRequest): Promise<generationV1.DeleteResult> {
    await this.controls.delete(requireUuid(request.userId, 'userId'), request.jobId);
    return { deleted: 1 };
  }

  async deleteProject(
    request: generationV1.DeleteProjectRequest,
  ): Promise<generationV1.DeleteResult> {
    return {
      deleted: await this.controls.deleteProject(
        requireUuid(request.userId, 'userId'),
        request.projectId,
      ),
    };
  }

  async shareJob(request: generationV1.GetJobRequest): Promise<generationV1.ShareLink> {
    const link = await this.controls.share(requireUuid(request.userId, 'userId'), request.jobId);
    return { token: link.token, createdAt: link.createdAt.toISOString() };
  }

  async unshareJob(request: generationV1.GetJobRequest): Promise<generationV1.DeleteResult> {
    await this.controls.unshare(requireUuid(request.userId, 'userId'), request.jobId);
    return { deleted: 1 };
  }

  /** Only what a viewer of the link needs: no owner, no prompt, no credits. */
  async getSharedJob(request: generationV1.GetSharedJobRequest): Promise<generationV1.Job> {
    const job = toJob(await this.controls.shared(request.token));
    return {
      id: job.id,
      userId: '',
      status: job.status,
      model: job.model,
      mode: job.mode,
      prompt: '',
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      aspectRatio: job.aspectRatio,
      durationSec: job.durationSec,
      output: job.output,
      lane: '',
    };
  }

  async waitJobEvents(
    request: generationV1.WaitJobEventsRequest,
  ): Promise<generationV1.JobEventBatch> {
    const batch = await this.statusStream.waitAfter(
      requireUuid(request.userId, 'userId'),
      request.jobId || null,
      request.afterSeq,
      request.waitMs,
    );
    return {
      events: batch.events.map((e) => ({ ...e, at: e.at.toISOString() })),
      lastSeq: batch.lastSeq,
    };
  }

  async receiveProviderWebhook(
    request: generationV1.ProviderWebhook,
  ): Promise<generationV1.ProviderWebhookResult> {
    return this.providerWebhooks.receive(Buffer.from(request.payload), request.signature);
  }

  async createLikeness(
    request: generationV1.CreateLikenessRequest,
  ): Promise<generationV1.Likeness> {
    const userId = requireUuid(request.userId, 'userId');
    const likeness = await this.likenesses.create(
      userId,
      likenessKind(request.kind),
      request.name,
      request.contentType,
      Buffer.from(request.data),
    );
    return toLikeness(likeness);
  }

  async listLikenesses(
    request: generationV1.ListLikenessesRequest,
  ): Promise<generationV1.LikenessList> {
    const userId = requireUuid(request.userId, 'userId');
    const items = await this.likenesses.list(userId, likenessKind(request.kind));
    return { items: items.map(toLikeness) };
  }

  async deleteLikeness(request: generationV1.LikenessRef): Promise<generationV1.DeleteResult> {
    const userId = requireUuid(request.userId, 'userId');
    await this.likenesses.remove(userId, likenessKind(request.kind), request.id);
    return { deleted: 1 };
  }
}
