import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the double answers for one model. */
export interface ProviderScript {
  /** What the task ends as; `never` keeps it running. */
  outcome: 'succeeded' | 'failed' | 'moderated' | 'never';
  /** Polls answered `running` before the outcome shows. */
  runningPolls?: number;
  /** Or: the task finishes this long after it was created, and the webhook goes out. */
  finishAfterMs?: number;
  /** The next N calls for this model (create or poll) answer 503. */
  unavailable?: number;
}

export interface ProviderTaskView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'moderated' | 'cancelled';
  output_url?: string;
  error?: { code: string; message: string };
}

interface Task extends ProviderTaskView {
  model: string;
  polls: number;
  webhookUrl?: string;
}

export interface RecordedProviderCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
}

/**
 * A local stand-in for a model provider's create / poll / cancel / webhook API
 * (the contract `HttpModelProvider` speaks), scripted per model, recording every call.
 */
export class ProviderDouble {
  readonly calls: RecordedProviderCall[] = [];
  readonly webhooks: { url: string; status: number; body: string }[] = [];
  private readonly tasks = new Map<string, Task>();
  private readonly byKey = new Map<string, string>();
  private readonly scripts = new Map<string, ProviderScript>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly server: Server;
  private port = 0;
  /** Deliver webhooks here instead of the task's `webhook_url` (a public address in config). */
  deliverTo: string | undefined;

  private constructor(
    readonly apiKey: string,
    private readonly webhookSecret: string,
  ) {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        ({ status, body }) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: String(error) }));
        },
      );
    });
  }

  static async start(
    options: { apiKey?: string; webhookSecret?: string } = {},
  ): Promise<ProviderDouble> {
    const double = new ProviderDouble(
      options.apiKey ?? 'provider-test-key',
      options.webhookSecret ?? 'provider-webhook-secret',
    );
    await new Promise<void>((resolve) => double.server.listen(0, '127.0.0.1', resolve));
    double.port = (double.server.address() as AddressInfo).port;
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  script(model: string, script: ProviderScript): void {
    this.scripts.set(model, { ...script });
  }

  /** Tasks created, by model. */
  created(model?: string): ProviderTaskView[] {
    return [...this.tasks.values()].filter((t) => model === undefined || t.model === model);
  }

  /** The body and signature header a webhook delivery of `task` carries. */
  signedDelivery(task: ProviderTaskView, at = Math.floor(Date.now() / 1000), secret?: string) {
    const body = JSON.stringify(task);
    const signature = createHmac('sha256', secret ?? this.webhookSecret)
      .update(`${at}.${body}`)
      .digest('hex');
    return { body, signature: `t=${at},v1=${signature}` };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: object }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const path = request.url ?? '/';
    this.calls.push({ method: request.method ?? '', path, headers: request.headers, body });
    if (request.headers.authorization !== `Bearer ${this.apiKey}`) {
      return { status: 401, body: { error: 'bad api key' } };
    }
    if (request.method === 'POST' && path === '/v1/generations') {
      return this.create(body ?? {}, request.headers['idempotency-key']);
    }
    const match = /^\/v1\/generations\/([^/]+)(\/cancel)?$/.exec(path);
    const task = match?.[1] ? this.tasks.get(match[1]) : undefined;
    if (!task) {
      return { status: 404, body: { error: 'no such task' } };
    }
    if (this.unavailable(task.model)) {
      return { status: 503, body: { error: 'over capacity' } };
    }
    if (request.method === 'POST' && match?.[2]) {
      if (task.status === 'queued' || task.status === 'running') {
        task.status = 'cancelled';
      }
      return { status: 200, body: view(task) };
    }
    if (request.method === 'GET') {
      task.polls += 1;
      const script = this.scripts.get(task.model) ?? { outcome: 'succeeded' };
      if (script.finishAfterMs === undefined && task.polls > (script.runningPolls ?? 0)) {
        this.finish(task);
      }
      return { status: 200, body: view(task) };
    }
    return { status: 405, body: { error: 'method not allowed' } };
  }

  private create(
    body: Record<string, unknown>,
    key: string | string[] | undefined,
  ): { status: number; body: object } {
    const model = String(body['model']);
    if (this.unavailable(model)) {
      return { status: 503, body: { error: 'over capacity' } };
    }
    if (body['no_training'] !== true) {
      return { status: 422, body: { error: 'no_training must be true' } };
    }
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    const existing = idempotencyKey ? this.byKey.get(idempotencyKey) : undefined;
    if (existing) {
      return { status: 200, body: view(this.tasks.get(existing)!) };
    }
    const task: Task = {
      id: `task_${randomUUID()}`,
      status: 'running',
      model,
      polls: 0,
      webhookUrl: typeof body['webhook_url'] === 'string' ? body['webhook_url'] : undefined,
    };
    this.tasks.set(task.id, task);
    if (idempotencyKey) {
      this.byKey.set(idempotencyKey, task.id);
    }
    const script = this.scripts.get(model);
    if (script?.finishAfterMs !== undefined) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.finish(task);
        void this.deliver(task);
      }, script.finishAfterMs);
      this.timers.add(timer);
    }
    return { status: 201, body: view(task) };
  }

  private finish(task: Task): void {
    if (task.status !== 'running') {
      return;
    }
    const outcome = (this.scripts.get(task.model) ?? { outcome: 'succeeded' }).outcome;
    switch (outcome) {
      case 'succeeded':
        task.status = 'succeeded';
        task.output_url = `https://cdn.provider.test/${task.id}.mp4`;
        break;
      case 'failed':
        task.status = 'failed';
        task.error = { code: 'generation_failed', message: 'The model failed to render.' };
        break;
      case 'moderated':
        task.status = 'moderated';
        task.error = { code: 'output_moderated', message: 'The output breaks the usage policy.' };
        break;
      case 'never':
        break;
    }
  }

  private async deliver(task: Task): Promise<void> {
    const url = task.webhookUrl && (this.deliverTo ?? task.webhookUrl);
    if (!url || task.status === 'running') {
      return;
    }
    const { body, signature } = this.signedDelivery(view(task));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-provider-signature': signature },
      body,
    }).catch(() => undefined);
    this.webhooks.push({ url, status: response?.status ?? 0, body });
  }

  private unavailable(model: string): boolean {
    const script = this.scripts.get(model);
    if (script?.unavailable) {
      script.unavailable -= 1;
      return true;
    }
    return false;
  }
}

function view(task: Task): ProviderTaskView {
  return {
    id: task.id,
    status: task.status,
    ...(task.output_url ? { output_url: task.output_url } : {}),
    ...(task.error ? { error: task.error } : {}),
  };
}
