import { Controller } from '@nestjs/common';
import { generationV1, ProblemError, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { IncidentsService } from './incidents.service';

/** `IncidentsService`: operations declare a model incident. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.IncidentsServiceControllerMethods()
export class IncidentsGrpcController implements generationV1.IncidentsServiceController {
  constructor(private readonly incidents: IncidentsService) {}

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
}
