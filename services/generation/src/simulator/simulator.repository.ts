import type { Sql } from '@fluxnote/persistence';
import { SimulatorModelEntity } from './simulator-model.entity';

/** The rows of `generation.simulator_models` (how the simulator behaves per model). */
export const simulatorRows = {
  async settings(sql: Sql, model: string): Promise<SimulatorModelEntity | null> {
    return sql.getRepository(SimulatorModelEntity).findOneBy({ model });
  },

  async put(
    sql: Sql,
    settings: Pick<SimulatorModelEntity, 'model' | 'failure' | 'latencyMs'>,
  ): Promise<SimulatorModelEntity> {
    const repository = sql.getRepository(SimulatorModelEntity);
    await repository.upsert(settings, ['model']);
    return repository.findOneByOrFail({ model: settings.model });
  },
};
