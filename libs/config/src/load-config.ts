import { z } from 'zod';

/** A configuration that cannot be used; the message names every offending setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the environment once and validates it against a schema. Any missing or
 * wrong value is reported by name, so a service stops with a useful message
 * instead of failing later on `undefined`.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration for ${serviceName}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Loads configuration or exits the process with the validation message (for `main.ts`). */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, serviceName: string): z.infer<S> {
  try {
    return loadConfig(schema, serviceName);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
