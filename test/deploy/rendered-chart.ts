import { parseAllDocuments } from 'yaml';
import { helm } from '../../tools/deploy/kube-tools';

/** A rendered Kubernetes object, loosely typed: tests read what they check. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: unknown;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}

export const chartDir = 'charts/fluxnote';
export const environments = ['dev', 'staging', 'prod'] as const;
export const release = 'fx';
export const prefix = `${release}-fluxnote`;

/** The service folders under services/: each one must be deployable by the chart. */
export { serviceNames } from '../../tools/build/dockerfiles';

/** `helm template` with the environment's values (and extra `--set`s); the objects it renders. */
export function render(environment: string | undefined, sets: string[] = []): KubeObject[] {
  const args = ['template', release, chartDir];
  if (environment) {
    args.push('-f', `deploy/values-${environment}.yaml`);
  }
  for (const set of sets) {
    args.push('--set', set);
  }
  return parseManifests(helm(args));
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} in the rendered chart`);
  }
  return found;
}

export function podSpec(object: KubeObject): PodSpec {
  const template = (object.spec as { template: { spec: PodSpec } }).template;
  return template.spec;
}
