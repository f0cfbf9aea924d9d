/**
 * Every problem type the public API answers with, by the status it comes with. The OpenAPI
 * document lists, for each operation, the statuses it can answer and the types behind each; the
 * SDK's `ApiProblem.type` is one of these slugs (`https://fluxnote.dev/problems/<slug>`).
 */
export const problemCatalog = {
  'invalid-request': { status: 400, title: 'A field is missing or wrong (`errors` lists them)' },
  'invalid-link': { status: 400, title: 'The unlock or reset link is unknown, used or expired' },
  unauthorized: { status: 401, title: 'No valid bearer token' },
  'invalid-token': { status: 401, title: 'The access token is not valid' },
  'token-expired': { status: 401, title: 'The access token has expired; refresh it' },
  'session-ended': { status: 401, title: 'The session behind the token has ended' },
  'invalid-credentials': { status: 401, title: 'Wrong email or password' },
  'invalid-refresh-token': { status: 401, title: 'The refresh token is unknown, used or expired' },
  'invalid-google-token': { status: 401, title: 'The Google ID token did not verify' },
  'wrong-code': { status: 401, title: 'The emailed code is wrong' },
  'challenge-expired': { status: 401, title: 'The log-in challenge has expired' },
  'insufficient-credits': { status: 402, title: 'Not enough credits for the job' },
  'payment-declined': { status: 402, title: 'The payment method was declined' },
  forbidden: { status: 403, title: 'Not allowed for this caller (role, region, plan)' },
  'model-not-offered-in-region': {
    status: 403,
    title: "The model is not offered in the caller's country (`alternatives` lists others)",
  },
  'chat-not-on-plan': { status: 403, title: "Chat support is not on the caller's plan (email is)" },
  'not-found': { status: 404, title: 'No such resource for this caller' },
  'google-sign-in-disabled': { status: 404, title: 'Google sign-in is not set up' },
  conflict: { status: 409, title: 'The resource is not in a state that allows this' },
  'not-appealed': { status: 409, title: 'The suspension has no appeal to open a ticket for' },
  'payload-too-large': { status: 413, title: 'The body is larger than the route accepts' },
  'unsupported-media-type': { status: 415, title: 'The body is not of a type the route accepts' },
  'content-policy': { status: 422, title: 'The prompt breaks the content policy' },
  'model-limit': { status: 422, title: "The job is beyond the model's limits" },
  'invalid-media': { status: 422, title: 'The uploaded file is not a usable sample' },
  'unknown-likeness': { status: 422, title: 'A voice clone or face identity the caller lacks' },
  'must-deliver': { status: 422, title: 'Security and billing messages cannot be turned off' },
  'job-not-yours': { status: 422, title: 'A cited job belongs to someone else' },
  'job-not-cited': { status: 422, title: 'The job is not one the ticket cites' },
  'not-an-appeal': { status: 422, title: 'The ticket is not a suspension appeal' },
  'legal-by-email': { status: 422, title: 'Legal requests go by email' },
  'email-without-sender': { status: 422, title: 'The email has no From address' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for another body' },
  'account-suspended': { status: 423, title: 'The account is suspended' },
  'account-locked': { status: 423, title: 'The account is locked' },
  'account-frozen': { status: 423, title: 'The account is frozen' },
  'account-deleting': { status: 423, title: 'The account is being deleted' },
  'rate-limited': { status: 429, title: 'Too many requests; wait `Retry-After` seconds' },
  'too-many-attempts': { status: 429, title: 'Too many failed log-ins; the email has a link' },
  'service-unavailable': { status: 503, title: 'A service behind this route is unavailable' },
  'identity-provider-unavailable': { status: 503, title: 'Google could not be reached' },
  'upstream-timeout': { status: 504, title: 'A service behind this route did not answer in time' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof problemCatalog;

export const problemSlugs = Object.keys(problemCatalog) as ProblemSlug[];
