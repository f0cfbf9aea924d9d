import { Controller } from '@nestjs/common';
import { supportV1, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { WeeklyReports } from './weekly-reports';

/** `ReportsService`: the weekly top issues, for the product team. */
@Controller()
@AlsoServedAs(supportV1.SUPPORT_SERVICE_NAME)
@supportV1.ReportsServiceControllerMethods()
export class ReportsGrpcController implements supportV1.ReportsServiceController {
  constructor(private readonly reports: WeeklyReports) {}

  async topIssues(request: supportV1.TopIssuesRequest): Promise<supportV1.TopIssuesReport> {
    const report = await this.reports.topIssues(
      requireUuid(request.actorId, 'actorId'),
      request.week || null,
    );
    return {
      week: report.week,
      from: report.from.toISOString(),
      to: report.to.toISOString(),
      topIssues: report.topIssues,
      sla: report.sla.map((s) => ({ ...s, attainment: s.attainment ?? undefined })),
    };
  }
}
