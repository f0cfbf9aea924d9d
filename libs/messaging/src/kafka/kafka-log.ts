import { logLevel, type logCreator } from 'kafkajs';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Where the Kafka client's own log lines go: the service's logger. */
export type KafkaLog = (level: KafkaLogLevel, line: string) => void;

const levels: Partial<Record<logLevel, KafkaLogLevel>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The fields kafkajs attaches that say which connection, group or partitions a line is about. */
const fieldsKept = [
  'broker',
  'clientId',
  'groupId',
  'memberId',
  'leaderId',
  'isLeader',
  'memberAssignment',
  'topic',
  'partition',
  'error',
  'retryCount',
  'retryTime',
] as const;

/**
 * One line per kafkajs entry: `[namespace] message {fields}`. Connection losses and
 * reconnections (BrokerPool, Connection), group joins and rebalances (ConsumerGroup, Runner)
 * and crashes with their restarts then reach the service's log instead of vanishing.
 */
export function formatKafkaEntry(
  namespace: string,
  entry: { message: string } & Record<string, unknown>,
): string {
  const fields: Record<string, unknown> = {};
  for (const key of fieldsKept) {
    if (entry[key] !== undefined) {
      fields[key] = entry[key];
    }
  }
  const prefix = namespace ? `[${namespace}] ` : '';
  const suffix = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${prefix}${entry.message}${suffix}`;
}

export function kafkaLogCreator(log: KafkaLog): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const mapped = levels[level];
      if (mapped) {
        log(mapped, formatKafkaEntry(namespace, entry));
      }
    };
}
