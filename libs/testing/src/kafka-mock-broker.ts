import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, stopChild } from '@fluxnote/embedded-postgres';

export interface RunningBroker {
  /** host:port list, as KAFKA_BROKERS takes it. */
  brokers: string;
  stop(): Promise<void>;
}

/**
 * librdkafka's mock cluster (tools/kafka-mock, installed by `npm test` before Jest runs): a real
 * Kafka-protocol broker on 127.0.0.1, in memory.
 */
export async function startKafkaMockBroker(): Promise<RunningBroker> {
  const folder = join(repoRoot(), 'tools', 'kafka-mock');
  if (!existsSync(join(folder, 'node_modules', 'node-rdkafka'))) {
    throw new Error(
      'the Kafka mock broker is not installed: run tools/kafka-mock/ensure-installed.sh (npm test does)',
    );
  }
  const child: ChildProcess = spawn(process.execPath, [join(folder, 'broker.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const brokers = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the mock broker exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { brokers: string }).brokers),
    );
  });
  child.removeAllListeners('exit');
  return {
    brokers,
    stop: () => stopChild(child, () => child.stdin?.end()),
  };
}
