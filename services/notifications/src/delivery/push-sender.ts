import { Logger } from '@nestjs/common';

export type PushPlatform = 'ios' | 'android' | 'web';

export interface OutgoingPush {
  /** The delivery id: the provider collapses a copy sent again after a crash. */
  id: string;
  token: string;
  platform: PushPlatform;
  title: string;
  body: string;
  /** Where tapping the notification leads. */
  link: string | null;
  category: string;
}

/** `unregistered`: the provider says this token is dead (app removed, token rotated) — prune it. */
export type PushResult = 'sent' | 'unregistered';

/** The push channel's port. A rejected promise is a failed attempt (retried later). */
export abstract class PushSender {
  abstract readonly description: string;
  abstract send(push: OutgoingPush): Promise<PushResult>;
}

interface ProviderError {
  error?: { status?: string; message?: string; details?: { errorCode?: string }[] };
}

/**
 * An FCM-style HTTP provider (`POST {PUSH_URL}/messages:send`, bearer key): one
 * message per device token, with the notification, the link as data, and the
 * delivery id as collapse key on both Android and APNs. 404/410 or an
 * `UNREGISTERED` error means the token is dead; other failures are retried.
 */
export class HttpPushSender extends PushSender {
  readonly description: string;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 10_000,
  ) {
    super();
    this.description = `push provider at ${new URL(url).host}`;
  }

  async send(push: OutgoingPush): Promise<PushResult> {
    const response = await fetch(`${this.url.replace(/\/$/, '')}/messages:send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({
        message: {
          token: push.token,
          notification: { title: push.title, body: push.body },
          data: { category: push.category, ...(push.link ? { link: push.link } : {}) },
          android: { collapse_key: push.id },
          apns: { headers: { 'apns-collapse-id': push.id.slice(0, 64) } },
        },
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) {
      await response.body?.cancel();
      return 'sent';
    }
    const text = await response.text();
    let parsed: ProviderError = {};
    try {
      parsed = JSON.parse(text) as ProviderError;
    } catch {
      // not JSON: the status says enough
    }
    const codes = [parsed.error?.status, ...(parsed.error?.details ?? []).map((d) => d.errorCode)];
    if (response.status === 404 || response.status === 410 || codes.includes('UNREGISTERED')) {
      return 'unregistered';
    }
    throw new Error(
      `push provider answered ${response.status}: ${parsed.error?.message ?? text.slice(0, 200)}`,
    );
  }
}

/** Embedded mode: no provider; each push is written to the log. */
export class LogPushSender extends PushSender {
  readonly description = 'the log (no push provider configured)';
  private readonly logger = new Logger('Push');

  send(push: OutgoingPush): Promise<PushResult> {
    this.logger.log(
      `push to ${push.platform} device …${push.token.slice(-6)}: ${push.title} — ${push.body}${push.link ? ` (${push.link})` : ''}`,
    );
    return Promise.resolve('sent');
  }
}
