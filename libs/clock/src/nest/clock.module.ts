import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Clock, SystemClock } from '../clock';
import { PlatformClock } from '../platform-clock';

@Injectable()
class ClockLifecycle implements OnApplicationShutdown {
  constructor(private readonly clock: Clock) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.clock instanceof PlatformClock) {
      await this.clock.close();
    }
  }
}

/** Provides `Clock`: the system clock in production, the movable platform clock otherwise. */
@Module({})
export class ClockModule {
  static forRoot(options: { production: boolean; databaseUrl: string }): DynamicModule {
    return {
      module: ClockModule,
      global: true,
      providers: [
        {
          provide: Clock,
          useFactory: (): Promise<Clock> | Clock =>
            options.production ? new SystemClock() : PlatformClock.open(options.databaseUrl),
        },
        ClockLifecycle,
      ],
      exports: [Clock],
    };
  }
}
