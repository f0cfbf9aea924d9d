import type { EntityManager } from 'typeorm';

/** The rows of `generation.incidents` (an operator's notice of a model's outage): writes only. */
export const incidentRows = {
  async insert(
    manager: EntityManager,
    i: {
      id: string;
      model: string;
      message: string;
      eta: Date | null;
      alternative: string | null;
      declaredBy: string;
      declaredAt: Date;
      affectedUsers: number;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO generation.incidents (id, model, message, eta, alternative, declared_by, declared_at, affected_users)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [i.id, i.model, i.message, i.eta, i.alternative, i.declaredBy, i.declaredAt, i.affectedUsers],
    );
  },
};
