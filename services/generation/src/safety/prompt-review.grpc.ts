import { Controller } from '@nestjs/common';
import { generationV1, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { toJob } from '../jobs/job-messages';
import { PromptApprovals } from './prompt-approvals';

/** `PromptReviewService`: support approves a prompt the safety check blocked by mistake. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.PromptReviewServiceControllerMethods()
export class PromptReviewGrpcController implements generationV1.PromptReviewServiceController {
  constructor(private readonly approvals: PromptApprovals) {}

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
}
