import { loadConfig } from '@fluxnote/config';
import { messagingMetricNames } from '@fluxnote/messaging';
import { purgeMetricNames } from '../../services/accounts/src/deletion/purge-metrics';
import { slaMetricName } from '../../services/support/src/sla/sla-metrics';
import { generationMetricNames } from '../../services/generation/src/jobs/generation-metrics';
import type { ZodType } from 'zod';
import { helm } from '../../tools/deploy/kube-tools';
import { modelsPackage, strictManifestErrors } from '../../tools/deploy/strict-manifests';
import {
  chartDir,
  environments,
  find,
  podSpec,
  prefix,
  render,
  serviceNames,
  type KubeObject,
} from './rendered-chart';

/** Settings the chart passes that the OpenTelemetry SDK reads itself (not our schemas). */
const readByTelemetrySdk = [
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
];

function configSchema(service: string): ZodType & { shape: Record<string, unknown> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`../../services/${service}/src/config/${service}.config`) as Record<
    string,
    unknown
  >;
  const schema = Object.entries(module).find(([name]) => name.endsWith('ConfigSchema'))?.[1];
  if (!schema) {
    throw new Error(
      `services/${service}/src/config/${service}.config.ts exports no ...ConfigSchema`,
    );
  }
  return schema as ZodType & { shape: Record<string, unknown> };
}

/** The environment a service's container gets: its ConfigMap plus placeholders for secret values. */
function containerEnvironment(objects: KubeObject[], service: string): Record<string, string> {
  const deployment = find(objects, 'Deployment', `${prefix}-${service}`);
  const container = podSpec(deployment).containers[0];
  const env: Record<string, string> = {
    ...find(objects, 'ConfigMap', container.envFrom![0].configMapRef.name).data,
  };
  /** What the cluster's secrets hold, in the form each setting takes. */
  const secretValues: Record<string, string> = {
    DATABASE_URL: 'postgres://user:secret@db.internal:5432/fluxnote',
    ADMIN_EMAIL: 'admin@fluxnote.dev',
    SMTP_URL: 'smtps://mailer:secret@smtp.internal:465',
    PUSH_URL: 'https://push.internal/v1/projects/fluxnote',
    MODEL_PROVIDER_URL: 'https://models.provider.example',
    NOTIFICATIONS_SEALING_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----',
    SEALING_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----',
    SEALING_PREVIOUS_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----',
  };
  for (const variable of container.env ?? []) {
    env[variable.name] = secretValues[variable.name] ?? 'a-secret-value-from-the-cluster';
  }
  return env;
}

/** Validates with the model class for the object's apiVersion and kind, offline. */
function validateAgainstKubernetes(object: KubeObject): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const group = require(`${modelsPackage(object.apiVersion)}/${object.apiVersion}`) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = group[object.kind];
  if (!Model) {
    throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

/** The Prometheus Operator objects switched on, with the selector label an operator sets. */
const withMonitoring = [
  'global.monitoring.serviceMonitor.enabled=true',
  'global.monitoring.prometheusRule.enabled=true',
  'global.monitoring.labels.release=kube-prometheus',
];

describe('strict manifest validation', () => {
  it('rejects a field the Kubernetes API does not define, at any depth', () => {
    const deployment = find(render('prod'), 'Deployment', `${prefix}-gateway`);
    const container = podSpec(deployment).containers[0] as unknown as Record<string, unknown>;
    container.livenesProbe = container.livenessProbe;
    delete container.livenessProbe;

    expect(strictManifestErrors([deployment])).toEqual([
      expect.stringMatching(/^Deployment fx-fluxnote-gateway: .*'"livenesProbe"' does not exist/),
    ]);
  });

  it('rejects a ServiceMonitor field the operator does not define', () => {
    const monitor = find(render('prod', withMonitoring), 'ServiceMonitor', `${prefix}-billing`);
    (monitor.spec!.endpoints as Record<string, unknown>[])[0].intervall = '30s';

    expect(strictManifestErrors([monitor]).join('\n')).toContain('intervall');
  });
});

describe.each(environments)('the chart with deploy/values-%s.yaml', (environment) => {
  let objects: KubeObject[];

  beforeAll(() => {
    objects = render(environment);
  });

  it('renders only fields the Kubernetes API defines (strict), monitoring objects included', () => {
    expect(strictManifestErrors(objects)).toEqual([]);
    expect(strictManifestErrors(render(environment, withMonitoring))).toEqual([]);
  });

  it('passes helm lint', () => {
    const output = helm(['lint', chartDir, '-f', `deploy/values-${environment}.yaml`]);
    expect(output).toContain('0 chart(s) failed');
  });

  it('renders only objects valid against the Kubernetes API schemas (kubernetes-models)', () => {
    expect(objects.length).toBeGreaterThan(serviceNames().length * 6);
    for (const object of [...objects, ...render(environment, withMonitoring)]) {
      expect(() => validateAgainstKubernetes(object)).not.toThrow();
    }
  });

  it('renders a Deployment, Service, ServiceAccount, ConfigMap, NetworkPolicy and migrations Job for every service in services/', () => {
    for (const service of serviceNames()) {
      const name = `${prefix}-${service}`;
      for (const kind of [
        'Deployment',
        'Service',
        'ServiceAccount',
        'ConfigMap',
        'NetworkPolicy',
      ]) {
        expect(find(objects, kind, name).metadata.labels).toMatchObject({
          'app.kubernetes.io/component': service,
        });
      }
      const job = find(objects, 'Job', `${name}-migrate`);
      expect(job.metadata.annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
      });
      expect(podSpec(job).containers[0].args).toEqual([
        `services/${service}/src/main.js`,
        'migrate',
      ]);
    }
  });

  it('migrates as the schema owner, and runs the services as a role that only reads and writes rows', () => {
    const databaseSecret = (
      env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[],
    ) => env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name;
    for (const service of serviceNames()) {
      const name = `${prefix}-${service}`;
      const job = podSpec(find(objects, 'Job', `${name}-migrate`)).containers[0];
      const pod = podSpec(find(objects, 'Deployment', name)).containers[0];
      expect(databaseSecret(job.env ?? [])).toMatch(/owner/);
      expect(databaseSecret(pod.env ?? [])).not.toMatch(/owner/);
      const role = job.env?.find((e) => e.name === 'DATABASE_APP_ROLE')?.value;
      expect(role).toBe(environment === 'prod' ? `fluxnote_${service}` : 'fluxnote_app');
      expect(containerEnvironment(objects, service)['MIGRATIONS_AT_START']).toBe('false');
      expect(pod.env?.some((e) => e.name === 'DATABASE_APP_ROLE')).toBe(false);
    }
  });

  it('runs every pod non-root on a read-only root filesystem with all capabilities dropped', () => {
    const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
    expect(workloads.length).toBe(serviceNames().length * 2);
    for (const workload of workloads) {
      const pod = podSpec(workload);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual(
          expect.objectContaining({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          }),
        );
        expect(container.resources?.requests).toMatchObject({
          cpu: expect.anything(),
          memory: expect.anything(),
        });
        expect(container.resources?.limits).toMatchObject({
          cpu: expect.anything(),
          memory: expect.anything(),
        });
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('probes each service on its health endpoints', () => {
    for (const service of serviceNames()) {
      const container = podSpec(find(objects, 'Deployment', `${prefix}-${service}`)).containers[0];
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.startupProbe).toBeDefined();
      expect(container.ports?.map((p) => p.name)).toContain('http');
    }
  });

  it('stops each pod with a preStop delay, then a drain its termination grace period covers', () => {
    for (const service of serviceNames()) {
      const deployment = find(objects, 'Deployment', `${prefix}-${service}`);
      const spec = podSpec(deployment);
      // distroless: no shell and no sleep binary; the image's node waits
      expect(spec.containers[0].lifecycle?.preStop?.exec?.command).toEqual([
        '/nodejs/bin/node',
        '-e',
        'setTimeout(() => {}, 5000)',
      ]);
      const settings = find(objects, 'ConfigMap', `${prefix}-${service}`).data!;
      const graceSeconds = Number(settings['SHUTDOWN_GRACE_MS']) / 1000;
      expect(graceSeconds).toBeGreaterThanOrEqual(service === 'generation' ? 60 : 10);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(5 + graceSeconds + 5);
    }
  });

  it("gives each service settings its own config accepts, and nothing it doesn't read", () => {
    for (const service of serviceNames()) {
      const env = containerEnvironment(objects, service);
      const schema = configSchema(service);
      expect(() => loadConfig(schema, service, env)).not.toThrow();
      const unknown = Object.keys(env).filter(
        (key) => !(key in schema.shape) && !readByTelemetrySdk.includes(key),
      );
      expect({ service, unknown }).toEqual({ service, unknown: [] });
    }
  });

  it('points every service address at a rendered Service port', () => {
    for (const service of serviceNames()) {
      const env = containerEnvironment(objects, service);
      for (const [key, value] of Object.entries(env).filter(([k]) => /_(GRPC|HTTP)_URL$/.test(k))) {
        const { hostname, port } = new URL(value.includes('://') ? value : `grpc://${value}`);
        const target = find(objects, 'Service', hostname);
        const ports = (target.spec as { ports: { name: string; port: number }[] }).ports;
        const kind = key.endsWith('_GRPC_URL') ? 'grpc' : 'http';
        expect(ports).toContainEqual(expect.objectContaining({ name: kind, port: Number(port) }));
      }
    }
  });

  it('references existing secrets and creates none', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const refs = objects
      .filter((o) => o.kind === 'Deployment')
      .flatMap((o) => podSpec(o).containers.flatMap((c) => c.env ?? []))
      .filter((e) => e.valueFrom?.secretKeyRef);
    expect(refs.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'JWT_PRIVATE_KEY',
        'STRIPE_SECRET_KEY',
        'SMTP_URL',
        'PUSH_URL',
        'PUSH_API_KEY',
        'INBOUND_EMAIL_SECRET',
        'NOTIFICATIONS_SEALING_PUBLIC_KEY',
        'SEALING_PRIVATE_KEY',
      ]),
    );
    // the sealing key's halves: the public one to accounts only, the private ones to notifications only
    const holders = (name: string) =>
      objects
        .filter((o) => o.kind === 'Deployment')
        .filter((o) => podSpec(o).containers.some((c) => c.env?.some((e) => e.name === name)))
        .map((o) => o.metadata.name);
    expect(holders('NOTIFICATIONS_SEALING_PUBLIC_KEY')).toEqual([
      expect.stringMatching(/accounts$/),
    ]);
    for (const key of ['SEALING_PRIVATE_KEY', 'SEALING_PREVIOUS_PRIVATE_KEY']) {
      expect(holders(key)).toEqual([expect.stringMatching(/notifications$/)]);
    }
    if (environment === 'prod') {
      // Production runs the models on the HTTP provider.
      expect(refs.map((e) => e.name)).toEqual(
        expect.arrayContaining([
          'MODEL_PROVIDER_URL',
          'MODEL_PROVIDER_API_KEY',
          'MODEL_PROVIDER_WEBHOOK_SECRET',
        ]),
      );
    }
    expect(objects.some((o) => JSON.stringify(o).includes('a-secret-value'))).toBe(false);
  });
});

describe('network policies', () => {
  const objects = render('prod');
  const admitted = (service: string): { from: string; ports: number[] }[] => {
    const policy = find(objects, 'NetworkPolicy', `${prefix}-${service}`);
    const rules = (
      policy.spec as {
        ingress: {
          from: {
            podSelector?: { matchLabels: Record<string, string> };
            namespaceSelector?: { matchLabels: Record<string, string> };
          }[];
          ports: { port: number }[];
        }[];
      }
    ).ingress;
    return rules.map((rule) => {
      expect(rule.from.length).toBeGreaterThan(0);
      const source = rule.from[0];
      return {
        from:
          source.podSelector?.matchLabels['app.kubernetes.io/component'] ??
          `namespace:${source.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']}`,
        ports: rule.ports.map((p) => p.port),
      };
    });
  };

  it('admit only the services that call, on the ports they call', () => {
    expect(admitted('billing')).toEqual([
      { from: 'gateway', ports: [50051] },
      { from: 'generation', ports: [50051] },
      { from: 'support', ports: [50051] },
      { from: 'namespace:monitoring', ports: [8081] },
    ]);
    expect(admitted('generation')).toEqual([
      { from: 'gateway', ports: [50051] },
      { from: 'support', ports: [50051] },
      { from: 'namespace:monitoring', ports: [8081] },
    ]);
    // billing, generation and notifications ask accounts about a user whose event has not arrived
    expect(admitted('accounts')).toEqual([
      { from: 'billing', ports: [50051] },
      { from: 'gateway', ports: [50051, 8081] },
      { from: 'generation', ports: [50051] },
      { from: 'notifications', ports: [50051] },
      { from: 'support', ports: [50051] },
      { from: 'namespace:monitoring', ports: [8081] },
    ]);
    expect(admitted('support')).toEqual([
      { from: 'gateway', ports: [50051] },
      { from: 'namespace:monitoring', ports: [8081] },
    ]);
  });

  it('let the ingress controller reach the gateway only', () => {
    // /metrics is on its own port, which the ingress controller cannot reach
    expect(admitted('gateway')).toEqual([
      { from: 'namespace:ingress-nginx', ports: [8080] },
      { from: 'namespace:monitoring', ports: [8081] },
    ]);
  });
});

describe('monitoring', () => {
  it('renders no Prometheus Operator objects unless asked (their CRDs may be missing)', () => {
    const kinds = render('prod').map((object) => object.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
  });

  it('scrapes every service through a ServiceMonitor on its internal metrics port', () => {
    const objects = render('prod', withMonitoring);
    for (const service of serviceNames()) {
      const name = `${prefix}-${service}`;
      const monitor = find(objects, 'ServiceMonitor', name);
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
      const kubeService = find(objects, 'Service', name);
      const selector = (monitor.spec!.selector as { matchLabels: Record<string, string> })
        .matchLabels;
      expect(kubeService.metadata.labels).toMatchObject(selector);
      const [endpoint] = monitor.spec!.endpoints as { port: string; path: string }[];
      const portNames = (kubeService.spec!.ports as { name: string }[]).map((port) => port.name);
      expect(endpoint).toMatchObject({
        port: portNames.includes('metrics') ? 'metrics' : 'http',
        path: '/metrics',
      });
      expect(portNames).toContain(endpoint.port);
    }
    // the gateway's metrics are on their own port, away from the public API
    expect(
      (
        find(objects, 'ServiceMonitor', `${prefix}-gateway`).spec!.endpoints as { port: string }[]
      )[0].port,
    ).toBe('metrics');
  });

  it('alerts on down services, event-loop lag, the event bus, provider failures, SLA breaches and purge deadlines, for this release only', () => {
    const rule = find(render('prod', withMonitoring), 'PrometheusRule', prefix);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
    const rules = (
      rule.spec!.groups as { rules: { alert: string; expr: string; for: string }[] }[]
    ).flatMap((group) => group.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'FluxNoteServiceDown',
      'FluxNoteEventLoopLag',
      'FluxNoteDeadLetters',
      'FluxNoteOutboxStuck',
      'FluxNoteConsumerLag',
      'FluxNoteProviderFailureSpike',
      'FluxNoteSupportSlaBreached',
      'FluxNotePurgeDeadline',
    ]);
    for (const r of rules) {
      expect(r.expr).toContain(`service=~"${prefix}-.*"`);
    }
    expect(rules[0]).toMatchObject({ expr: expect.stringMatching(/== 0$/), for: '5m' });
    // The bus's metrics, by the names libs/messaging exports them.
    expect(rules[2].expr).toContain(`${messagingMetricNames.deadLetters}{`);
    expect(rules[2].expr).toContain('[15m])) > 0');
    expect(rules[3]).toMatchObject({ expr: expect.stringMatching(/> 300$/), for: '5m' });
    expect(rules[3].expr).toContain(`${messagingMetricNames.outboxOldest}{`);
    expect(rules[4]).toMatchObject({ expr: expect.stringMatching(/> 1000$/), for: '10m' });
    expect(rules[4].expr).toContain(`${messagingMetricNames.consumerLag}{`);
    // Generation's provider calls: the share failing, once a model had enough calls to judge.
    expect(rules[5]).toMatchObject({ for: '5m' });
    expect(rules[5].expr).toContain(`rate(${generationMetricNames.providerFailures}{`);
    expect(rules[5].expr).toContain(`rate(${generationMetricNames.providerCalls}_count{`);
    expect(rules[5].expr).toMatch(/\) > 0\.2 and .*\[10m\]\)\) >= 10$/);
    // Support's SLA standing, by the name support exports it.
    expect(rules[6].expr).toContain(`${slaMetricName}{`);
    expect(rules[6].expr).toContain('standing="breached"}) > 0');
    expect(rules[7].expr).toContain(`${purgeMetricNames.deadline}{`);
    expect(rules[7].expr).toMatch(/< 43200$/);
  });
});

describe('values', () => {
  it('switch a service off without touching the others', () => {
    // (the gateway calls support, so its call goes too)
    const objects = render('prod', [
      'services.support.enabled=false',
      'services.gateway.calls.support=null',
    ]);
    expect(
      objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'support'),
    ).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(serviceNames().length - 1);
  });

  it('refuse a termination grace period that does not cover the preStop delay and the drain', () => {
    expect(() => render('prod', ['services.billing.terminationGracePeriodSeconds=25'])).toThrow(
      /services.billing.terminationGracePeriodSeconds \(25\) must cover .* \(30\)/,
    );
    expect(() => render('prod', ['global.preStopSeconds=30'])).toThrow(/must cover/);
  });

  it('leave the preStop hook out at preStopSeconds=0, and pass each grace period on', () => {
    const objects = render('prod', [
      'global.preStopSeconds=0',
      'services.support.shutdownGraceSeconds=7',
    ]);
    const container = podSpec(find(objects, 'Deployment', `${prefix}-support`)).containers[0];
    expect(container.lifecycle).toBeUndefined();
    expect(find(objects, 'ConfigMap', `${prefix}-support`).data).toMatchObject({
      SHUTDOWN_GRACE_MS: '7000',
    });
  });

  it('refuse to switch off a service another one calls', () => {
    expect(() => render('prod', ['services.billing.enabled=false'])).toThrow(
      /services.gateway calls billing, which is disabled/,
    );
  });

  it('scale by replicas when autoscaling is off, and by an HPA when it is on', () => {
    const objects = render('prod');
    const hpa = find(objects, 'HorizontalPodAutoscaler', `${prefix}-generation`);
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 40 });
    expect(find(objects, 'Deployment', `${prefix}-generation`).spec).not.toHaveProperty('replicas');
    expect(find(objects, 'Deployment', `${prefix}-notifications`).spec).toMatchObject({
      replicas: 3,
    });
    expect(find(objects, 'PodDisruptionBudget', `${prefix}-notifications`).spec).toMatchObject({
      maxUnavailable: 1,
    });
  });

  it('scale generation on its queue instead of CPU when queueDepth is on', () => {
    const metricsOf = (objects: ReturnType<typeof render>) =>
      find(objects, 'HorizontalPodAutoscaler', `${prefix}-generation`).spec!.metrics;
    expect(metricsOf(render('prod'))).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
    ]);
    const byQueue = render('prod', [
      'services.generation.autoscaling.queueDepth.enabled=true',
      'services.generation.autoscaling.queueDepth.jobsPerReplica=12',
    ]);
    expect(metricsOf(byQueue)).toEqual([
      {
        type: 'External',
        external: {
          metric: {
            name: generationMetricNames.queueDepth,
            selector: { matchLabels: { service: `${prefix}-generation` } },
          },
          target: { type: 'AverageValue', averageValue: '12' },
        },
      },
    ]);
    expect(strictManifestErrors(byQueue)).toEqual([]);
    // the other services keep their CPU target
    expect(
      find(byQueue, 'HorizontalPodAutoscaler', `${prefix}-gateway`).spec!.metrics,
    ).toMatchObject([{ type: 'Resource' }]);
    expect(() =>
      render('prod', ['services.generation.autoscaling.queueDepth.jobsPerReplica=0']),
    ).toThrow(/jobsPerReplica/);
  });

  it('are validated by values.schema.json', () => {
    expect(() => render(undefined)).toThrow(/kafka\/brokers/);
    expect(() => render('prod', ['services.billing.replicas=-1'])).toThrow(/replicas/);
    expect(() => render('prod', ['services.billing.port=80'])).toThrow(
      /additional properties 'port' not allowed/i,
    );
    expect(() => render('prod', ['global.logLevel=loud'])).toThrow(/logLevel/);
    expect(() => render('prod', ['services.billing.secrets={vault}'])).toThrow(/secrets/);
    expect(() => render('prod', ['global.monitoring.serviceMonitor.interval=often'])).toThrow(
      /interval/,
    );
  });

  it('carry OpenTelemetry settings to every service', () => {
    const objects = render('prod');
    for (const service of serviceNames()) {
      expect(find(objects, 'ConfigMap', `${prefix}-${service}`).data).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.namespace=fluxnote',
      });
    }
  });
});
