import { Controller } from '@nestjs/common';
import { generationV1, ProblemError, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { JobControls } from './job-controls';
import { jobRequest, toJob } from './job-messages';
import { JobStatusStream } from './job-status-stream';
import { JobsService } from './jobs.service';
import { SubmitJobUseCase } from './use-cases/submit-job.use-case';

/** `JobsService`: a job from submit to deletion, its live statuses and its log. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.JobsServiceControllerMethods()
export class JobsGrpcController implements generationV1.JobsServiceController {
  constructor(
    private readonly submitJobUseCase: SubmitJobUseCase,
    private readonly jobs: JobsService,
    private readonly controls: JobControls,
    private readonly statusStream: JobStatusStream,
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
}
