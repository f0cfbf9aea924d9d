import ts from 'typescript';

/** The part of a manifest that says what it is. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
}

/** The package whose types describe an apiVersion; Kubernetes' own groups by default. */
export function modelsPackage(apiVersion: string): string {
  return apiVersion.startsWith('monitoring.coreos.com/')
    ? '@kubernetes-models/prometheus-operator'
    : 'kubernetes-models';
}

/**
 * Checks manifests strictly against the Kubernetes API types (kubernetes-models and the
 * prometheus-operator models): every object is type-checked as an object literal of its kind's
 * interface, so a field the API does not define (`livenesProbe`) is an error at any depth, as
 * `kubectl apply --validate=strict` would report it. The JSON-schema validators of the same
 * packages accept unknown fields, which the API server would silently drop.
 *
 * Returns one message per problem, naming the object; empty when all are valid.
 */
export function strictManifestErrors(manifests: readonly Manifest[]): string[] {
  const fileName = 'manifests.ts';
  const lineOwners: string[] = [];
  const lines: string[] = [];
  manifests.forEach((manifest, index) => {
    const owner = `${manifest.kind} ${manifest.metadata?.name ?? `#${index}`}`;
    const module = `${modelsPackage(manifest.apiVersion)}/${manifest.apiVersion}/${manifest.kind}`;
    const text = `export const object${index}: import('${module}').I${manifest.kind} = ${JSON.stringify(manifest, null, 1)};`;
    for (const line of text.split('\n')) {
      lines.push(line);
      lineOwners.push(owner);
    }
  });
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, language) =>
    name === fileName
      ? ts.createSourceFile(fileName, source, language)
      : getSourceFile(name, language);

  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName)!;
  return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
    const line =
      diagnostic.start === undefined
        ? 0
        : file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    return `${lineOwners[line] ?? 'manifests'}: ${message}`;
  });
}
