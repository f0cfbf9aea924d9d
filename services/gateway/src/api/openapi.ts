import { z } from 'zod';
import type { HeaderName, OperationSpec, Success, Tag } from './endpoint';
import { problemCatalog, problemSlugs, type ProblemSlug } from './problems';
import { namedRequests, namedResponses } from './schemas';

type Json = Record<string, unknown>;

const PROBLEM_BASE = 'https://fluxnote.dev/problems/';

const tags: Record<Tag, string> = {
  accounts: 'Sign-up, log-in, sessions, the account and its security.',
  billing: 'Plans, the subscription, credit packs, charges and refunds.',
  generation: 'Models, jobs and their live status, projects, shares, voice clones and faces.',
  notifications: 'The in-app feed, its live stream, channel preferences and push devices.',
  support: "Tickets from the customer's side, live conversations, inbound email.",
  agents: "The agents' desk: the queue, replies, actions, reports, job logs.",
  operations: 'Health, incidents, suspensions, roles, dead letters; the test clock and simulator.',
  webhooks: 'Deliveries from Stripe and the model provider, signed by them.',
};

const headerParameters: Record<HeaderName, Json> = {
  'Idempotency-Key': {
    description:
      'Any unique string (a UUID). A retry with the same key and body gets the first answer replayed, and the work is done once; the same key with another body is 422.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  'Last-Event-ID': {
    description:
      'The `id` of the last event received: the stream resumes right after it, nothing lost and nothing twice. Without it the stream starts now.',
    schema: { type: 'string', pattern: '^\\d{1,15}$' },
  },
  'Stripe-Signature': {
    description: "Stripe's signature over the exact bytes of the body.",
    schema: { type: 'string' },
    required: true,
  },
  'X-Provider-Signature': {
    description: "The model provider's HMAC over the exact bytes of the body.",
    schema: { type: 'string' },
    required: true,
  },
  'X-Inbound-Email-Secret': {
    description: "The mail provider's shared secret (INBOUND_EMAIL_SECRET).",
    schema: { type: 'string' },
    required: true,
  },
};

/** What any operation of its kind can answer, besides the problems it names itself. */
export function problemsOf(spec: OperationSpec): ProblemSlug[] {
  const slugs = new Set<ProblemSlug>(spec.problems ?? []);
  slugs.add('service-unavailable').add('upstream-timeout');
  const hasInput =
    spec.query !== undefined ||
    spec.body !== undefined ||
    spec.pathParams !== undefined ||
    (spec.headers ?? []).length > 0;
  if (hasInput) {
    slugs.add('invalid-request');
  }
  if (spec.method !== 'get') {
    // a JSON body is parsed before the route runs, also where the route reads none
    slugs.add('invalid-request').add('payload-too-large');
  }
  if (spec.body) {
    slugs.add('payload-too-large');
    if ('raw' in spec.body) {
      slugs.add('unsupported-media-type');
    }
  }
  if (spec.pathParams) {
    slugs.add('not-found');
  }
  if (spec.auth !== 'none') {
    slugs.add('unauthorized');
  }
  if (spec.auth === 'bearer') {
    slugs.add('invalid-token').add('token-expired').add('session-ended');
    if (!spec.openToSuspended) {
      for (const slug of problemSlugs.filter((s) => s.startsWith('account-'))) {
        slugs.add(slug);
      }
    }
  }
  if (spec.roles) {
    slugs.add('forbidden');
  }
  if (spec.rateLimited) {
    slugs.add('rate-limited');
  }
  if (spec.headers?.includes('Idempotency-Key')) {
    slugs.add('idempotency-key-reused').add('conflict');
  }
  return problemSlugs.filter((slug) => slugs.has(slug));
}

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Collects the schemas of one direction (requests are read as input, responses as output) under
 * their ids: the named ones by their name, the others by their operation's.
 */
class SchemaSet {
  private readonly ids = new Map<z.ZodType, string>();

  constructor(
    private readonly io: 'input' | 'output',
    named: Map<z.ZodType, string>,
  ) {
    for (const [schema, id] of named) {
      this.ids.set(schema, id);
    }
  }

  refTo(schema: z.ZodType, fallbackId: string): Json {
    let id = this.ids.get(schema);
    if (id === undefined) {
      id = fallbackId;
      this.ids.set(schema, id);
    }
    return ref(id);
  }

  components(used: Set<string>): Record<string, Json> {
    const registry = z.registry<{ id: string }>();
    const taken = new Set<string>();
    for (const [schema, id] of this.ids) {
      if (taken.has(id)) {
        throw new Error(`Two schemas are named ${id}.`);
      }
      taken.add(id);
      registry.add(schema, { id });
    }
    const { schemas } = z.toJSONSchema(registry, {
      io: this.io,
      target: 'draft-2020-12',
      uri: (id) => `#/components/schemas/${id}`,
    }) as { schemas: Record<string, Json> };
    const out: Record<string, Json> = {};
    // a named schema no operation reaches stays out of the document
    const reached = referencedFrom(schemas, used);
    for (const [id, schema] of Object.entries(schemas)) {
      if (reached.has(id)) {
        const rest = { ...schema };
        delete rest['$schema'];
        delete rest['$id'];
        out[id] = rest;
      }
    }
    return out;
  }
}

/** Every id reachable by `$ref` from the used ones. */
function referencedFrom(schemas: Record<string, Json>, used: Set<string>): Set<string> {
  const reached = new Set(used);
  const queue = [...used];
  while (queue.length > 0) {
    const text = JSON.stringify(schemas[queue.pop()!] ?? {});
    for (const match of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (!reached.has(match[1])) {
        reached.add(match[1]);
        queue.push(match[1]);
      }
    }
  }
  return reached;
}

function queryParameters(query: z.ZodObject): Json[] {
  const schema = z.toJSONSchema(query, { io: 'input', target: 'draft-2020-12' }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: (schema.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function problemResponses(spec: OperationSpec, taken: Set<number>): Record<string, Json> {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of problemsOf(spec)) {
    const { status } = problemCatalog[slug];
    if (!taken.has(status)) {
      byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
    }
  }
  const out: Record<string, Json> = {};
  for (const [status, slugs] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: slugs.map((s) => `\`${s}\`: ${problemCatalog[s].title}.`).join(' '),
      ...(status === 429 || status === 503
        ? {
            headers: {
              'Retry-After': {
                description: 'Seconds to wait before trying again.',
                schema: { type: 'integer' },
              },
            },
          }
        : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              ref('Problem'),
              { properties: { type: { enum: slugs.map((s) => PROBLEM_BASE + s) } } },
            ],
          },
        },
      },
    };
  }
  return out;
}

/** The OpenAPI 3.1 document of the public API, made from the operations' own schemas. */
export function buildOpenApiDocument(operations: readonly OperationSpec[]): Json {
  const requests = new SchemaSet('input', namedRequests);
  const responses = new SchemaSet('output', namedResponses);
  const usedRequests = new Set<string>();
  const usedResponses = new Set<string>(['Problem']);
  const refId = (value: Json): string => String(value['$ref']).split('/').pop()!;
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const spec of operations) {
    if (seen.has(spec.operationId)) {
      throw new Error(`Two operations are called ${spec.operationId}.`);
    }
    seen.add(spec.operationId);
    const name = upperFirst(spec.operationId);
    const parameters: Json[] = [
      ...[...spec.path.matchAll(/\{(\w+)\}/g)].map(([, param]) => ({
        name: param,
        in: 'path',
        required: true,
        description: spec.pathParams?.[param] ?? param,
        schema: { type: 'string' },
      })),
      ...(spec.query ? queryParameters(spec.query) : []),
      ...(spec.headers ?? []).map((header) => ({
        name: header,
        in: 'header',
        required: false,
        ...headerParameters[header],
      })),
    ];
    let requestBody: Json | undefined;
    if (spec.body && 'json' in spec.body) {
      const schema = requests.refTo(spec.body.json, `${name}Request`);
      usedRequests.add(refId(schema));
      requestBody = { required: true, content: { 'application/json': { schema } } };
    } else if (spec.body) {
      requestBody = {
        required: true,
        description: spec.body.description,
        content: Object.fromEntries(
          spec.body.raw.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
    }
    const success: Record<string, Json> = {};
    for (const [status, answer] of Object.entries<Success>(spec.responses)) {
      const fallback = `${name}Response${Object.keys(spec.responses).length > 1 ? status : ''}`;
      if ('json' in answer) {
        const schema = responses.refTo(answer.json, fallback);
        usedResponses.add(refId(schema));
        success[status] = {
          description: answer.description,
          content: { 'application/json': { schema } },
        };
      } else if ('events' in answer) {
        const schema = responses.refTo(
          answer.events.data,
          `${upperFirst(answer.events.event)}Event`,
        );
        usedResponses.add(refId(schema));
        success[status] = {
          description: `${answer.description} Each event is \`event: ${answer.events.event}\`, \`id:\` its sequence number, \`data:\` one JSON object of this schema.`,
          content: { 'text/event-stream': { schema, 'x-sse-event': answer.events.event } },
        };
      } else {
        success[status] = { description: answer.description };
      }
    }
    const taken = new Set(Object.keys(spec.responses).map(Number));
    const access = [
      spec.roles ? `Needs the ${spec.roles.join(' or ')} role.` : '',
      spec.auth === 'bearer' && spec.openToSuspended ? 'Open to suspended accounts.' : '',
    ].filter(Boolean);
    paths[spec.path] ??= {};
    paths[spec.path][spec.method] = {
      operationId: spec.operationId,
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description || access.length > 0
        ? { description: [spec.description, ...access].filter(Boolean).join('\n\n') }
        : {}),
      security: spec.auth === 'bearer' ? [{ bearer: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: { ...success, ...problemResponses(spec, taken) },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'FluxNote API',
      version: '1',
      description:
        'The public HTTP API of the FluxNote platform. Errors are `application/problem+json` (RFC 9457); their `type` is `https://fluxnote.dev/problems/<slug>`. Collections answer `{items, nextCursor}`; pass `cursor` for the next page.',
    },
    tags: Object.entries(tags).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `accessToken` of sign-up, log-in or refresh (ES256, 15 minutes).',
        },
      },
      schemas: {
        ...requests.components(usedRequests),
        ...responses.components(usedResponses),
        ProblemType: {
          type: 'string',
          enum: problemSlugs,
          description: 'The slug at the end of a problem `type`.',
        },
      },
    },
  };
}
