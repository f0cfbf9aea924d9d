import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createParser } from 'eventsource-parser';
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, Json> }>;
}

/**
 * What the gateway answered, checked against the OpenAPI document it serves: a proxy in front of
 * the gateway validates the status and the body of every answer (each event of a stream too)
 * with ajv, so an answer that is not in the document fails the suite that got it.
 */
export interface ContractCheck {
  /** Where clients go instead of the gateway. */
  url: string;
  /** Each answer the document does not describe. */
  violations: string[];
  /** `operationId status` of every answer checked. */
  seen: Set<string>;
  operations: Operation[];
  close(): Promise<void>;
}

const pointer = (...parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export async function checkAgainstContract(gatewayUrl: string): Promise<ContractCheck> {
  const document = (await (await fetch(`${gatewayUrl}/docs/openapi.json`)).json()) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'openapi' });
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string): ValidateFunction => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi#/${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };
  const paths = document['paths'] as Record<string, Record<string, Json>>;
  const operations: Operation[] = Object.entries(paths)
    .flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        template,
        operationId: String(operation['operationId']),
        pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
        responses: operation['responses'] as Operation['responses'],
      })),
    )
    // a literal segment wins over a parameter (`/v1/generations/stream` is not `{id}`)
    .sort((a, b) => a.template.split('{').length - b.template.split('{').length);
  const violations: string[] = [];
  const seen = new Set<string>();

  const check = (
    operation: Operation,
    status: number,
    contentType: string,
    body: unknown,
    what: string,
  ): void => {
    const answer = operation.responses[String(status)];
    const where = `${operation.method} ${operation.template} → ${status}`;
    if (!answer) {
      violations.push(`${where}: not in the document (${JSON.stringify(body).slice(0, 300)})`);
      return;
    }
    const media = contentType.split(';')[0].trim();
    if (!answer.content) {
      if (body !== undefined) {
        violations.push(`${where}: a body where the document has none`);
      }
      return;
    }
    if (!answer.content[media]) {
      violations.push(
        `${where}: ${media || 'no content type'}, documented ${Object.keys(answer.content).join(', ')}`,
      );
      return;
    }
    const validate = validatorFor(
      pointer(
        'paths',
        operation.template,
        operation.method.toLowerCase(),
        'responses',
        String(status),
        'content',
        media,
        'schema',
      ),
    );
    if (!validate(body)) {
      violations.push(
        `${where} ${what}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 400)}`,
      );
    }
  };

  const agent = new Agent({ keepAlive: true });
  const target = new URL(gatewayUrl);
  const server = createServer((incoming, outgoing) => {
    const path = (incoming.url ?? '/').split('?')[0];
    const method = incoming.method ?? 'GET';
    const operation = operations.find((o) => o.method === method && o.pattern.test(path));
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
        agent,
      },
      (answer: IncomingMessage) => {
        const status = answer.statusCode ?? 502;
        const contentType = String(answer.headers['content-type'] ?? '');
        if (operation) {
          seen.add(`${operation.operationId} ${status}`);
        }
        outgoing.writeHead(status, answer.statusMessage, answer.rawHeaders);
        if (contentType.startsWith('text/event-stream')) {
          outgoing.flushHeaders();
          const parser = createParser({
            onEvent: (event) => {
              if (operation) {
                let data: unknown;
                try {
                  data = JSON.parse(event.data);
                } catch {
                  data = event.data;
                }
                check(operation, status, contentType, data, `event ${event.id ?? ''}`);
              }
            },
          });
          answer.on('data', (chunk: Buffer) => {
            parser.feed(chunk.toString('utf8'));
            outgoing.write(chunk);
          });
          answer.on('end', () => outgoing.end());
          answer.on('error', () => outgoing.destroy());
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', () => outgoing.destroy());
        answer.on('end', () => {
          const raw = Buffer.concat(chunks);
          if (operation && method !== 'HEAD') {
            let body: unknown;
            if (raw.length > 0) {
              try {
                body = JSON.parse(raw.toString('utf8'));
              } catch {
                body = raw.toString('utf8');
              }
            }
            check(operation, status, contentType, body, 'body');
          }
          outgoing.end(raw);
        });
      },
    );
    upstream.on('error', () => outgoing.destroy());
    // the client went away (a stream it stopped reading): so does the request to the gateway
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) {
        upstream.destroy();
      }
    });
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    seen,
    operations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
