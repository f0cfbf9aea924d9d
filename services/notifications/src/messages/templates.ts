/**
 * One source for every channel: a message is a title, a few plain paragraphs
 * (what happened, what was refunded, what to do next) and at most one link.
 * The feed shows title and paragraphs; the email's text and HTML parts are both
 * rendered from the same message, in the brand's words.
 */
export type NotificationCategory =
  'jobs' | 'billing' | 'security' | 'support' | 'product' | 'operations';

export const categories: readonly NotificationCategory[] = [
  'jobs',
  'billing',
  'security',
  'support',
  'product',
  'operations',
];

/**
 * Security and billing messages are must-deliver: no preference turns them off
 * (SPEC §7). So are operations alerts, which only admins get.
 */
export const mustDeliver: ReadonlySet<NotificationCategory> = new Set([
  'security',
  'billing',
  'operations',
]);

export type Channel = 'in_app' | 'email' | 'push';
export const channels: readonly Channel[] = ['in_app', 'email', 'push'];

export interface Message {
  category: NotificationCategory;
  title: string;
  paragraphs: string[];
  /** A path in the product (joined to the brand's address) and what the button says. */
  action?: { label: string; path: string };
  /** Channels this kind of message goes to unless the user says otherwise. */
  channels: readonly Channel[];
  /** It carries a one-time code or link: the delivery forgets its text once sent. */
  holdsSecret?: true;
}

export interface Brand {
  id: string;
  name: string;
  /** Where links point (the web app). */
  url: string;
  from: string;
}

export const brands: Record<string, Brand> = {
  fluxnote: {
    id: 'fluxnote',
    name: 'FluxNote',
    url: 'https://app.fluxnote.dev',
    from: 'FluxNote <notifications@fluxnote.dev>',
  },
  'flux-kontext': {
    id: 'flux-kontext',
    name: 'Flux Kontext',
    url: 'https://app.fluxkontext.dev',
    from: 'Flux Kontext <notifications@fluxkontext.dev>',
  },
};

export function brandOf(id: string | null | undefined): Brand {
  return brands[id ?? ''] ?? brands['fluxnote'];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

/** The feed's body: the paragraphs as one text. */
export function feedBody(message: Message): string {
  return message.paragraphs.join(' ');
}

export interface RenderedPush {
  title: string;
  body: string;
  link: string | null;
}

const PUSH_BODY_MAX = 180;

/** A push is the title and the first paragraph (cut to what a lock screen shows), tapping opens the link. */
export function renderPush(message: Message, brand: Brand): RenderedPush {
  const first = message.paragraphs[0] ?? '';
  return {
    title: message.title,
    body: first.length > PUSH_BODY_MAX ? `${first.slice(0, PUSH_BODY_MAX - 1).trimEnd()}…` : first,
    link: message.action ? new URL(message.action.path, brand.url).toString() : null,
  };
}

export function renderEmail(message: Message, brand: Brand): RenderedEmail {
  const link = message.action ? new URL(message.action.path, brand.url).toString() : null;
  const footer = `You get this because you have a ${brand.name} account. Choose what reaches you by email in Settings → Notifications${
    message.category === 'security' || message.category === 'billing'
      ? ' (security and billing messages are always sent)'
      : ''
  }.`;
  const text = [
    message.title,
    '',
    ...message.paragraphs.flatMap((p) => [p, '']),
    ...(link && message.action ? [`${message.action.label}: ${link}`, ''] : []),
    '—',
    `${brand.name} · ${footer}`,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif;line-height:1.5;color:#222">',
    `<h1 style="font-size:20px">${escapeHtml(message.title)}</h1>`,
    ...message.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link && message.action
      ? [
          `<p><a href="${escapeHtml(link)}" style="background:#4b3cf0;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(message.action.label)}</a></p>`,
        ]
      : []),
    `<hr><p style="font-size:12px;color:#666">${escapeHtml(brand.name)} · ${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `${brand.name}: ${message.title}`, text, html };
}
