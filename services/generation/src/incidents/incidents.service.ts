import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { incidentEta } from './incident-eta';
import { INCIDENT_USERS_PER_EVENT, incidentDeclaredV1, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { CatalogService } from '../catalog/catalog.service';
import { StaffRoles } from '../staff/staff-roles';
import { jobRows } from '../jobs/jobs.repository';
import { incidentRows } from './incidents.repository';

export interface Incident {
  id: string;
  model: string;
  message: string;
  eta: Date | null;
  alternative: string | null;
  declaredAt: Date;
  affectedUsers: number;
}

/** Who counts as affected: users with a job on the model within this long before the declaration. */
const AFFECTED_WINDOW_MS = 48 * 3_600_000;

/**
 * Incidents on a model: operations declare one, and every user who used that
 * model in the 48 hours before (by the platform clock) — and no one else — is
 * named in the incident event, in parts, in the same transaction as the record.
 */
@Injectable()
export class IncidentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: CatalogService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly staff: StaffRoles,
  ) {}

  async declare(
    actorId: string,
    /** `eta`: a time, or a duration from now (`incident-eta.ts`); empty for none. */
    input: { model: string; message: string; eta: string; alternative: string | null },
  ): Promise<Incident> {
    await this.staff.assertRole(actorId, 'admin', 'Declaring an incident');
    const model = this.catalog.model(input.model);
    if (!model) {
      throw ProblemError.badRequest(`Unknown model "${input.model}".`, { field: 'model' });
    }
    if (input.alternative !== null) {
      const alternative = this.catalog.model(input.alternative);
      if (!alternative || alternative.id === model.id) {
        throw ProblemError.badRequest('alternative must be another model of the catalog.', {
          field: 'alternative',
        });
      }
    }
    const declaredAt = this.clock.now();
    const incident: Incident = {
      id: randomUUID(),
      model: model.id,
      message: input.message,
      eta: incidentEta(input.eta, declaredAt),
      alternative: input.alternative,
      declaredAt,
      affectedUsers: 0,
    };
    await this.dataSource.transaction(async (manager) => {
      const users = await jobRows.usersOfModel(
        manager,
        model.id,
        new Date(declaredAt.getTime() - AFFECTED_WINDOW_MS),
        declaredAt,
      );
      incident.affectedUsers = users.length;
      await incidentRows.insert(manager, {
        id: incident.id,
        model: incident.model,
        message: incident.message,
        eta: incident.eta,
        alternative: incident.alternative,
        declaredBy: actorId,
        declaredAt,
        affectedUsers: users.length,
      });
      const parts = Math.max(1, Math.ceil(users.length / INCIDENT_USERS_PER_EVENT));
      for (let part = 1; part <= parts; part++) {
        const slice = users.slice(
          (part - 1) * INCIDENT_USERS_PER_EVENT,
          part * INCIDENT_USERS_PER_EVENT,
        );
        await this.outbox.add(manager, incidentDeclaredV1, incident.id, {
          incidentId: incident.id,
          model: model.id,
          modelName: model.name,
          message: incident.message,
          ...(incident.eta ? { eta: incident.eta.toISOString() } : {}),
          ...(incident.alternative ? { alternative: incident.alternative } : {}),
          declaredAt: declaredAt.toISOString(),
          userIds: slice,
          part,
          parts,
        });
      }
    });
    return incident;
  }
}
