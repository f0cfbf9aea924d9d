import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { PushPlatform } from '../delivery/push-sender';
import { pushDeviceRows } from './push-devices.repository';

export interface PushDevice {
  token: string;
  platform: PushPlatform;
  registeredAt: Date;
}

const platforms: readonly PushPlatform[] = ['ios', 'android', 'web'];
/** A user's devices beyond this many: the oldest registrations go. */
const MAX_DEVICES = 20;

/**
 * The devices a user gets push on. A token belongs to one device, so when
 * another account registers it (someone else logged in on that phone) it moves
 * to them; tokens the provider calls dead are pruned.
 */
@Injectable()
export class PushDevices {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async register(userId: string, token: string, platform: string): Promise<PushDevice> {
    const clean = token.trim();
    if (!clean || clean.length > 4096 || /\s/.test(clean)) {
      throw ProblemError.badRequest(
        'token must be the device token the push provider gave the app.',
        {
          field: 'token',
        },
      );
    }
    if (!platforms.includes(platform as PushPlatform)) {
      throw ProblemError.badRequest(`platform must be one of ${platforms.join(', ')}.`, {
        field: 'platform',
      });
    }
    const registeredAt = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await pushDeviceRows.put(manager, { token: clean, userId, platform, registeredAt });
      await pushDeviceRows.keepNewest(manager, userId, MAX_DEVICES);
    });
    return { token: clean, platform: platform as PushPlatform, registeredAt };
  }

  /** Only the owner can remove a registration; anyone else's token is simply not found. */
  async unregister(userId: string, token: string): Promise<void> {
    if (!(await pushDeviceRows.remove(this.dataSource, userId, token))) {
      throw ProblemError.notFound('No such device is registered for push on this account.');
    }
  }

  async list(userId: string): Promise<PushDevice[]> {
    return (await pushDeviceRows.ofUser(this.dataSource, userId)).map((d) => ({
      ...d,
      platform: d.platform as PushPlatform,
    }));
  }
}
