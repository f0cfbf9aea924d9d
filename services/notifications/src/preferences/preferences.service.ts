import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import {
  categories,
  channels,
  mustDeliver,
  type Channel,
  type Message,
  type NotificationCategory,
} from '../messages/templates';
import { preferenceRows, type PreferenceRow } from './preferences.repository';

export type PreferenceMatrix = Record<
  NotificationCategory,
  Record<Channel, boolean> & { mustDeliver: boolean }
>;

export type PreferenceChanges = Partial<
  Record<NotificationCategory, Partial<Record<Channel, boolean>>>
>;

/**
 * What each user wants per category and channel. Everything is on until the user
 * turns it off; security and billing cannot be turned off (must-deliver).
 */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async get(userId: string): Promise<PreferenceMatrix> {
    const rows = await preferenceRows.ofUser(this.dataSource, userId);
    const matrix = {} as PreferenceMatrix;
    for (const category of categories) {
      const locked = mustDeliver.has(category);
      const entry = { mustDeliver: locked } as PreferenceMatrix[NotificationCategory];
      for (const channel of channels) {
        const row = rows.find((r) => r.category === category && r.channel === channel);
        entry[channel] = locked || (row?.enabled ?? true);
      }
      matrix[category] = entry;
    }
    return matrix;
  }

  async update(userId: string, changes: PreferenceChanges): Promise<PreferenceMatrix> {
    const writes: PreferenceRow[] = [];
    for (const [category, perChannel] of Object.entries(changes) as [
      NotificationCategory,
      Partial<Record<Channel, boolean>>,
    ][]) {
      for (const [channel, enabled] of Object.entries(perChannel) as [Channel, boolean][]) {
        if (mustDeliver.has(category) && !enabled) {
          throw ProblemError.unprocessable(
            'must-deliver',
            'Cannot be turned off',
            `${category} messages are must-deliver and cannot be turned off.`,
            { field: `${category}.${channel}` },
          );
        }
        writes.push({ category, channel, enabled });
      }
    }
    await this.dataSource.transaction(async (manager) => {
      for (const write of writes) {
        await preferenceRows.put(manager, userId, write, this.clock.now());
      }
    });
    return this.get(userId);
  }

  /**
   * The channels each user turned off for this message's category — none for
   * must-deliver messages. A message reaches its own channels less these.
   */
  async channelsOff(
    manager: EntityManager,
    userIds: readonly string[],
    message: Message,
  ): Promise<Map<string, Set<Channel>>> {
    const off = new Map<string, Set<Channel>>();
    if (mustDeliver.has(message.category)) {
      return off;
    }
    for (const row of await preferenceRows.turnedOff(manager, userIds, message.category)) {
      off.set(row.userId, (off.get(row.userId) ?? new Set<Channel>()).add(row.channel));
    }
    return off;
  }
}
