import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@fluxnote/contracts';
import { deadLetterTopic } from '@fluxnote/messaging';
import { parseManifests } from './rendered-chart';

interface KafkaTopic {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    topicName: string;
    partitions: number;
    replicas: number;
    config: Record<string, unknown>;
  };
}

const definitions = parseManifests(
  readFileSync('deploy/kafka/topics.yaml', 'utf8'),
) as unknown as KafkaTopic[];

/** Every topic name written in the services' and libs' code (beyond the registry in contracts). */
function topicsNamedInCode(): string[] {
  const names = new Set<string>();
  for (const folder of ['services', 'libs']) {
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      // gRPC packages share the naming (fluxnote.<service>.v1) but are not topics.
      const generated = path.includes('node_modules') || path.includes('/generated/');
      if (entry.isFile() && entry.name.endsWith('.ts') && !generated) {
        for (const [name] of readFileSync(path, 'utf8').matchAll(/fluxnote\.[a-z-]+\.v[0-9]+/g)) {
          names.add(name);
        }
      }
    }
  }
  return [...names];
}

describe('Kafka topic definitions (deploy/kafka/topics.yaml)', () => {
  const used = [...new Set([...Object.values(topics), ...topicsNamedInCode()])];

  it('define every topic the code uses, and its dead-letter topic', () => {
    const defined = definitions.map((d) => d.spec.topicName);
    expect(used.length).toBeGreaterThanOrEqual(5);
    for (const topic of used) {
      expect(defined).toContain(topic);
      expect(defined).toContain(deadLetterTopic(topic));
    }
  });

  it('define nothing the code does not use', () => {
    const known = used.flatMap((t) => [t, deadLetterTopic(t)]);
    expect(definitions.map((d) => d.spec.topicName).filter((t) => !known.includes(t))).toEqual([]);
  });

  it('are Strimzi KafkaTopics with partitions, replication, and retention', () => {
    for (const topic of definitions) {
      expect(topic).toMatchObject({
        apiVersion: 'kafka.strimzi.io/v1beta2',
        kind: 'KafkaTopic',
        metadata: { name: topic.spec.topicName, labels: { 'strimzi.io/cluster': 'fluxnote' } },
      });
      expect(topic.metadata.name).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
      expect(topic.spec.partitions).toBeGreaterThanOrEqual(1);
      expect(topic.spec.replicas).toBeGreaterThanOrEqual(3);
      expect(topic.spec.config['min.insync.replicas']).toBeLessThan(topic.spec.replicas);
      expect(topic.spec.config['retention.ms']).toEqual(expect.any(Number));
    }
  });

  it('keep dead letters longer than the live topic', () => {
    for (const topic of definitions.filter((d) => !d.spec.topicName.endsWith('.dlq'))) {
      const dlq = definitions.find(
        (d) => d.spec.topicName === deadLetterTopic(topic.spec.topicName),
      )!;
      expect(Number(dlq.spec.config['retention.ms'])).toBeGreaterThan(
        Number(topic.spec.config['retention.ms']),
      );
    }
  });
});
