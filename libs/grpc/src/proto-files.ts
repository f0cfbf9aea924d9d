import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository's `proto/` folder (or `PROTO_DIR`), found from this file upwards. */
export function protoRoot(): string {
  const configured = process.env['PROTO_DIR'];
  if (configured) {
    return resolve(configured);
  }
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'billing'))) {
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('proto/ folder not found; set PROTO_DIR');
    }
    dir = parent;
  }
}

/** One gRPC service of a generated contract. */
export interface GrpcServiceSpec {
  /** `protobufPackage` of the generated file. */
  package: string;
  /** `protobufFileName` of the generated file, relative to `proto/`. */
  file: string;
  /** Service name, e.g. `LedgerService`. */
  service: string;
}

export const protoLoaderOptions = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  // proto3 `optional` fields are synthetic oneofs: `true` would add a `_field` name to every
  // message that has one set, which nothing reads and the public API must not pass on.
  oneofs: false,
} as const;
