/** Ticket categories (SPEC §5), set at intake. */
export const ticketCategories = [
  'security',
  'legal',
  'suspension_appeal',
  'failed_refund',
  'refund_appeal',
  'content_policy_review',
  'account_access',
  'billing',
  'technical_fault',
  'bug',
  'how_to',
] as const;
export type TicketCategory = (typeof ticketCategories)[number];

/** The first line of a message, where the SECURITY and PRIORITY keywords count. */
export function firstLineOf(body: string): string {
  return body.trimStart().split('\n', 1)[0]?.trim() ?? '';
}

const words = (...patterns: string[]): RegExp => new RegExp(`\\b(?:${patterns.join('|')})`, 'i');

/** In order: the first that matches decides. Security and legal outrank whatever the user chose. */
const rules: { category: TicketCategory; test: (text: string) => boolean }[] = [
  {
    category: 'security',
    test: (t) =>
      words(
        'hacked',
        'hijacked',
        'compromised',
        'stolen account',
        'someone (?:else )?(?:logged|signed) in',
        'not me',
        'unauthori[sz]ed (?:login|log-in|access|charge)',
        'phishing',
      ).test(t),
  },
  {
    category: 'legal',
    test: (t) =>
      words(
        'lawyer',
        'attorney',
        'legal action',
        'lawsuit',
        'subpoena',
        'court order',
        'dmca',
        'copyright infringement',
        'trademark',
        'gdpr request',
        'data protection authority',
      ).test(t),
  },
  {
    category: 'suspension_appeal',
    test: (t) => words('suspended', 'suspension', 'banned').test(t),
  },
  {
    category: 'failed_refund',
    test: (t) =>
      /refund/i.test(t) &&
      words(
        "(?:never|haven'?t|have not|did ?n[o']?t) (?:got|get|received|receive|arrived|arrive)",
        'not (?:yet )?(?:received|arrived)',
        'still waiting',
        'refund failed',
        'failed refund',
        'card (?:was )?(?:closed|expired)',
      ).test(t),
  },
  {
    category: 'refund_appeal',
    test: (t) =>
      /refund/i.test(t) &&
      words('denied', 'declined', 'rejected', 'refused', 'appeal', 'unfair').test(t),
  },
  {
    category: 'content_policy_review',
    test: (t) =>
      words(
        'blocked',
        'content policy',
        'flagged',
        'false positive',
        'moderation',
        'censored',
      ).test(t),
  },
  {
    category: 'account_access',
    test: (t) =>
      words(
        "can'?t (?:log|sign) ?in",
        'cannot (?:log|sign) ?in',
        'unable to (?:log|sign) ?in',
        'locked out',
        'locked',
        'password',
        'verification code',
        'login code',
        'unlock',
      ).test(t),
  },
  {
    category: 'billing',
    test: (t) =>
      words(
        'charged?',
        'charges',
        'invoice',
        'receipt',
        'subscription',
        'payment',
        'billing',
        'refund',
        'credit card',
        'renewal',
        'upgrade',
        'downgrade',
        'cancel',
        'price',
        'upi',
      ).test(t),
  },
  {
    category: 'technical_fault',
    test: (t) =>
      words(
        '(?:job|generation|render|video|image)s? (?:failed|fails|stuck|keeps failing)',
        'stuck',
        'timed? ?out',
        'error',
        'failed',
        'never finished',
        'credits? (?:were |was )?(?:taken|lost|not returned)',
      ).test(t),
  },
  {
    category: 'bug',
    test: (t) =>
      words(
        'bug',
        'broken',
        "doesn'?t work",
        'not working',
        'glitch',
        'crash(?:es|ed)?',
        'wrong',
      ).test(t),
  },
];

/**
 * The category of a new ticket: security and legal words win over anything (a
 * hacked account or a legal matter must reach the right people); otherwise the
 * user's own choice, else the first rule the text matches; a ticket naming
 * jobs is a technical fault unless the text says otherwise; `how_to` last.
 */
export function triage(input: {
  subject: string;
  body: string;
  chosen?: TicketCategory;
  jobIds: readonly string[];
}): TicketCategory {
  const text = `${input.subject}\n${input.body}`;
  if (firstLineOf(input.body) === 'SECURITY') {
    return 'security';
  }
  const matched = rules.find((rule) => rule.test(text))?.category;
  if (matched === 'security' || matched === 'legal') {
    return matched;
  }
  return input.chosen ?? matched ?? (input.jobIds.length > 0 ? 'technical_fault' : 'how_to');
}
