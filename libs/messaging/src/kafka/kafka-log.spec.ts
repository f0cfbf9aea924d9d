import { logLevel } from 'kafkajs';
import { formatKafkaEntry, kafkaLogCreator, type KafkaLogLevel } from './kafka-log';

describe('the Kafka client log in the service logger', () => {
  it.each([
    [
      'a lost connection, with the broker it was to',
      'Connection',
      {
        message: 'Connection error: connect ECONNREFUSED',
        broker: '127.0.0.1:9092',
        timestamp: 'x',
      },
      '[Connection] Connection error: connect ECONNREFUSED {"broker":"127.0.0.1:9092"}',
    ],
    [
      'a group join, with the partitions it was given',
      'ConsumerGroup',
      {
        message: 'Consumer has joined the group',
        groupId: 'billing',
        memberId: 'm-1',
        isLeader: true,
        memberAssignment: { 'fluxnote.generation.v1': [0, 1] },
        logger: 'kafkajs',
      },
      '[ConsumerGroup] Consumer has joined the group {"groupId":"billing","memberId":"m-1","isLeader":true,"memberAssignment":{"fluxnote.generation.v1":[0,1]}}',
    ],
    ['a line with nothing attached', '', { message: 'Starting' }, 'Starting'],
  ])('formats %s', (_case, namespace, entry, line) => {
    expect(formatKafkaEntry(namespace, entry)).toBe(line);
  });

  it.each([
    [logLevel.ERROR, 'error'],
    [logLevel.WARN, 'warn'],
    [logLevel.INFO, 'info'],
    [logLevel.DEBUG, 'debug'],
  ] as const)('keeps kafkajs level %s as %s', (level, expected) => {
    const lines: [KafkaLogLevel, string][] = [];
    const write = kafkaLogCreator((at, line) => lines.push([at, line]))(logLevel.INFO);
    write({ namespace: 'Runner', level, label: 'x', log: { message: 'm', timestamp: 't' } });
    expect(lines).toEqual([[expected, '[Runner] m']]);
  });
});
