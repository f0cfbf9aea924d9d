import { buildOpenApiDocument } from './openapi';
import { operations } from './operations';

let built: Record<string, unknown> | undefined;

/** The public API's OpenAPI document (built once per process). */
export function openApiDocument(): Record<string, unknown> {
  built ??= buildOpenApiDocument(operations);
  return built;
}
