import { kafkaSecurity, type BaseConfig } from '@fluxnote/config';
import {
  KafkaDeadLetters,
  PgDeadLetters,
  runDeadLettersCommand,
  type DeadLetterStore,
} from '@fluxnote/messaging';

type DeadLettersConfig = BaseConfig & { DATABASE_URL: string };

/** `node main.js dead-letters …`: the dead-letter command on this service's transport. */
export function isDeadLettersCommand(argv: readonly string[] = process.argv): boolean {
  return argv[2] === 'dead-letters';
}

/** The dead letters of the transport the settings name: Kafka when KAFKA_BROKERS is set. */
export function deadLetterStore(config: DeadLettersConfig): DeadLetterStore {
  if (config.KAFKA_BROKERS) {
    return new KafkaDeadLetters({
      brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: `${config.KAFKA_CLIENT_ID}-dead-letters`,
      security: kafkaSecurity(config),
    });
  }
  return new PgDeadLetters(config.DATABASE_URL);
}

/** Runs the command after `dead-letters` in argv; the exit code says how it went. */
export async function runDeadLetters(
  config: DeadLettersConfig,
  argv: readonly string[] = process.argv.slice(3),
): Promise<void> {
  try {
    process.exitCode = await runDeadLettersCommand(argv, () => deadLetterStore(config), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  } catch (error) {
    process.stderr.write(
      `dead-letters: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
