// npm run bench: prints the platform's numbers next to their ceilings on this machine.
// Numbers, never pass/fail: targets are printed beside them for the reader.
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startEmbeddedPostgres } from '@fluxnote/embedded-postgres';
import { Platform } from '../tools/launcher/platform';
import { benchBroadcast } from './broadcast.bench';
import { benchBus } from './bus.bench';
import { benchBareRoute, benchSubmit, type LoadResult } from './gateway.bench';
import { benchLedger } from './ledger.bench';
import { benchLogins } from './login.bench';
import { benchQueue } from './queue.bench';
import { fmt } from './stats';
import { benchYardstick, cpuLine } from './yardstick.bench';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const dir = join(repoRoot(), 'tmp', `bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  log(
    `FluxNote benchmarks — ${cpus().length} cores, Node ${process.version}, embedded Postgres (durable settings)`,
  );
  const pg = await startEmbeddedPostgres(join(dir, 'postgres'));
  let platform: Platform | undefined;
  try {
    log('\nevent bus (embedded, on Postgres)');
    const bus = await benchBus(pg.url, log);

    log('\nnotifications: an incident broadcast');
    const broadcast = await benchBroadcast(pg.url, log);

    log('\ngateway');
    const bare = await benchBareRoute(log);
    platform = await Platform.start({
      dataDir: join(dir, 'platform'),
      databaseUrl: pg.url,
      port: 0,
      // a load from one address: the abuse limits would stop it
      env: {
        LOG_LEVEL: 'error',
        SIMULATOR_DEFAULT_LATENCY_MS: '0',
        RATE_LIMITS: '*=1000000/3600',
        LOGIN_CODE_RATE_LIMITS: '*=1000000/3600',
      },
    });
    log('\ncredit ledger');
    const ledger = await benchLedger(platform, log);

    log('\nlog-in');
    const logins = await benchLogins(platform, log);

    log('\ngateway submit');
    const submit = await benchSubmit(platform, log);

    log('\nsubmit yardstick: the same work in one process');
    const yardstick = await benchYardstick(platform, pg.process.pid!, submit, log);

    log('\ngeneration queue');
    const queue = await benchQueue(platform, log);

    const pct = (a: number, b: number): string => `${fmt((100 * a) / b)} %`;
    log(
      '\nsummary                                   measured            ceiling             ratio    target',
    );
    log(
      `bus events/s end to end                   ${fmt(bus.busEventsPerSecond).padEnd(20)}${fmt(bus.rawCommitsPerSecond).padEnd(20)}${pct(bus.busEventsPerSecond, bus.rawCommitsPerSecond).padEnd(9)}≥ 30 %`,
    );
    log(
      `bus outbox→handler p50 / p99 @ 500/s      ${`${bus.latencyAt500.p50} / ${bus.latencyAt500.p99} ms`.padEnd(20)}${''.padEnd(20)}${''.padEnd(9)}p99 < 100 ms`,
    );
    const submitRow = (label: string, result: LoadResult, target: string): void =>
      log(
        `${label.padEnd(42)}${`${fmt(result.requestsPerSecond)} (${result.p99} ms)`.padEnd(20)}${`${fmt(bare.requestsPerSecond)} (${bare.p99} ms)`.padEnd(20)}${pct(result.requestsPerSecond, bare.requestsPerSecond).padEnd(9)}${target}`,
      );
    log(
      `ledger reserve→commit pairs/s (gRPC)      ${fmt(ledger.grpcPairsPerSecond).padEnd(20)}${fmt(ledger.rawPairsPerSecond).padEnd(20)}${pct(ledger.grpcPairsPerSecond, ledger.rawPairsPerSecond).padEnd(9)}≥ 50 %`,
    );
    log(
      'logins/s via gateway (p99), argon2id'.padEnd(42) +
        `${fmt(logins.logins.requestsPerSecond)} (${logins.logins.p99} ms)`.padEnd(20) +
        `${fmt(logins.verifiesPerSecond)} hashes/s`.padEnd(20) +
        pct(logins.logins.requestsPerSecond, logins.verifiesPerSecond).padEnd(9),
    );
    log(
      '10,000-user broadcast notifications/s'.padEnd(42) +
        fmt(broadcast.fanOutPerSecond).padEnd(20) +
        `${fmt(broadcast.deliveriesPerSecond)} sent/s`.padEnd(20) +
        ''.padEnd(9) +
        `personal p99 ${fmt(broadcast.personalP99)} ms meanwhile`,
    );
    submitRow('gateway submit req/s (p99)', submit.submitPath, '≥ 25 %');
    submitRow('  … with every job run meanwhile', submit.withWorkers, '');
    const { platform: keyed, reference } = yardstick;
    const total = (cpu: Record<string, number>): number =>
      Object.values(cpu).reduce((a, b) => a + b, 0);
    log(
      'submit req/s (p50 / p99), fresh keys'.padEnd(42) +
        `${fmt(keyed.load.requestsPerSecond)} (${keyed.load.p50} / ${keyed.load.p99} ms)`.padEnd(
          20,
        ) +
        `${fmt(reference.load.requestsPerSecond)} (${reference.load.p50} / ${reference.load.p99})`.padEnd(
          20,
        ) +
        pct(keyed.load.requestsPerSecond, reference.load.requestsPerSecond).padEnd(9) +
        '≥ 50 % of one process',
    );
    log(
      'submit p99 at 100 submits/s'.padEnd(42) +
        `${keyed.at100.p99} ms`.padEnd(20) +
        `${reference.at100.p99} ms`.padEnd(20) +
        ''.padEnd(9) +
        '< 50 ms',
    );
    log(
      'CPU per submit, every process'.padEnd(42) +
        `${fmt(total(keyed.cpuMsPerSubmit), 2)} ms`.padEnd(20) +
        `${fmt(total(reference.cpuMsPerSubmit), 2)} ms`.padEnd(20) +
        `${fmt(total(keyed.cpuMsPerSubmit) / total(reference.cpuMsPerSubmit), 1)}×`.padEnd(9) +
        '≤ 3 ms',
    );
    log(
      `  platform:    ${cpuLine(keyed.cpuMsPerSubmit)} (load generator ${fmt(keyed.clientCpuMsPerSubmit, 2)})`,
    );
    log(
      `  submits per commit: ${Object.entries(yardstick.writesPerCommit)
        .map(([statement, n]) => `${statement} ${fmt(n, 1)}`)
        .join(' · ')}`,
    );
    log(
      `  one process: ${cpuLine(reference.cpuMsPerSubmit)} (load generator ${fmt(reference.clientCpuMsPerSubmit, 2)})`,
    );
    log(
      'queue dispatch p50 / p99 (commit → claim)'.padEnd(42) +
        `${fmt(queue.dispatchP50, 1)} / ${fmt(queue.dispatchP99, 1)} ms`.padEnd(20),
    );
    log(
      `claim with 10,000 queued (8 workers)`.padEnd(42) +
        `${fmt(queue.claimMsAt10k, 1)} ms`.padEnd(20) +
        `${fmt(queue.claimsPerSecondAt10k)} jobs/s`.padEnd(20),
    );
    log(
      'wait in a full queue: Max / shared p50'.padEnd(42) +
        `${fmt(queue.maxLaneWaitP50)} / ${fmt(queue.sharedLaneWaitP50)} ms`.padEnd(20) +
        ''.padEnd(20) +
        ''.padEnd(9) +
        'Max served first',
    );
  } finally {
    await platform?.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
