/**
 * Builds one service into `dist/services/<name>/`: every TypeScript file its `main.ts`
 * reaches (the service's own and the libs it uses) compiled by swc with the workspace's
 * decorator settings and `@fluxnote/*` rewritten to relative paths, the `proto/` folder,
 * and a `package.json` naming exactly the npm packages that code requires, at the
 * versions pinned in the root `package.json`. The container images install that
 * `package.json` and run `services/<name>/src/main.js` (see `services/<name>/Dockerfile`).
 *
 *   node -r @swc-node/register tools/build/build-service.ts <service>   (or: npx nx run <service>:build)
 */
import { transformFileSync, type Options } from '@swc/core';
import { isBuiltin } from 'node:module';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/**
 * Packages loaded by name at run time by a dependency rather than by our code
 * (Nest loads its HTTP platform and gRPC transport packages, TypeORM its driver).
 */
const loadedByDependencies = [
  '@nestjs/platform-express',
  'pg',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'reflect-metadata',
];

export interface BuildResult {
  outDir: string;
  entry: string;
  files: number;
  dependencies: Record<string, string>;
}

export function buildService(
  name: string,
  outDir = join(root, 'dist', 'services', name),
): BuildResult {
  const entrySource = join(root, 'services', name, 'src', 'main.ts');
  if (!existsSync(entrySource)) {
    throw new Error(`no service named ${name} (services/${name}/src/main.ts is missing)`);
  }
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    engines?: Record<string, string>;
  };
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8')) as Options;
  const options: Options = {
    ...swcrc,
    swcrc: false,
    sourceMaps: false,
    jsc: { ...swcrc.jsc, baseUrl: root, paths: { '@fluxnote/*': ['libs/*/src/index.ts'] } },
  };

  rmSync(outDir, { recursive: true, force: true });
  const packages = new Set<string>(loadedByDependencies);
  const seen = new Set<string>();
  const queue = [entrySource];
  while (queue.length > 0) {
    const source = queue.pop()!;
    if (seen.has(source)) {
      continue;
    }
    seen.add(source);
    const { code } = transformFileSync(source, { ...options, filename: source });
    const target = join(outDir, relative(root, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
    for (const [, specifier] of code.matchAll(/require\("([^"]+)"\)/g)) {
      if (specifier.startsWith('.')) {
        queue.push(resolveSource(dirname(source), specifier));
      } else if (!isBuiltin(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }

  const dependencies: Record<string, string> = {};
  for (const pkg of [...packages].sort()) {
    const version = rootPackage.dependencies[pkg];
    if (version === undefined) {
      throw new Error(
        `services/${name} requires ${pkg}, which is not in the root package.json "dependencies"`,
      );
    }
    dependencies[pkg] = version;
  }
  const entry = `services/${name}/src/main.js`;
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify(
      {
        name: `@fluxnote/${name}-image`,
        private: true,
        description: `FluxNote ${name} service (built by tools/build/build-service.ts)`,
        main: entry,
        scripts: {
          start: `node ${entry}`,
          migrate: `node ${entry} migrate`,
          'dead-letters': `node ${entry} dead-letters`,
        },
        engines: rootPackage.engines,
        dependencies,
      },
      null,
      2,
    )}\n`,
  );
  cpSync(join(root, 'proto'), join(outDir, 'proto'), { recursive: true });
  return { outDir, entry: join(outDir, entry), files: seen.size, dependencies };
}

function resolveSource(fromDir: string, specifier: string): string {
  const base = resolve(fromDir, specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      return candidate;
    }
  }
  throw new Error(`cannot resolve ${specifier} from ${relative(root, fromDir)}`);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

if (require.main === module) {
  const names = process.argv.slice(2);
  if (names.length === 0) {
    process.stderr.write('usage: build-service <service>...\n');
    process.exit(2);
  }
  for (const name of names) {
    const result = buildService(name);
    process.stdout.write(
      `${name}: ${result.files} files, ${Object.keys(result.dependencies).length} packages → ${relative(root, result.outDir)}\n`,
    );
  }
}
