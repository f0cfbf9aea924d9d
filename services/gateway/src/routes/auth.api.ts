import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { requestSchema, responseSchema, timestamp, uuid } from '../api/schemas';
import { userSchema } from './views';

const brand = z.enum(['fluxnote', 'flux-kontext']);

export const signUpBody = requestSchema(
  'SignUpRequest',
  z.object({
    email: z.string().max(254),
    password: z.string().max(256).meta({ description: 'At least 12 characters.' }),
    country: z.string().length(2).optional().meta({ description: 'ISO 3166 alpha-2.' }),
    brand: brand.optional(),
  }),
);
export const logInBody = requestSchema(
  'LogInRequest',
  z.object({
    email: z.string().max(254),
    password: z.string().max(256),
    deviceId: z
      .string()
      .max(200)
      .optional()
      .meta({ description: 'A stable id of this install: a known device is not challenged.' }),
  }),
);
export const googleBody = requestSchema(
  'GoogleSignInRequest',
  z.object({
    idToken: z.string().min(1).max(8192),
    deviceId: z.string().max(200).optional(),
    brand: brand.optional(),
  }),
);
export const refreshBody = requestSchema(
  'RefreshRequest',
  z.object({ refreshToken: z.string().min(1).max(200) }),
);
export const verifyBody = requestSchema(
  'VerifyLoginRequest',
  z.object({
    challengeId: z.string().uuid('must be the challengeId from the log-in answer'),
    code: z.string().regex(/^\s*\d{6}\s*$/, 'must be the six-digit code from the email'),
  }),
);
export const forgotBody = requestSchema(
  'ForgotPasswordRequest',
  z.object({ email: z.string().min(1).max(254) }),
);
export const resetBody = requestSchema(
  'ResetPasswordRequest',
  z.object({ token: z.string().min(1).max(200), newPassword: z.string().max(256) }),
);
export const unlockBody = requestSchema(
  'UnlockRequest',
  z.object({ token: z.string().min(1).max(200) }),
);

export const tokensSchema = responseSchema(
  'Tokens',
  z.object({
    user: userSchema,
    accessToken: z.string().meta({ description: 'Bearer token (ES256 JWT).' }),
    refreshToken: z.string().meta({ description: 'Single use: refreshing rotates it.' }),
    expiresIn: z.number().int().meta({ description: "Seconds until the access token's expiry." }),
  }),
);
export type TokensView = z.infer<typeof tokensSchema>;

export const challengeSchema = responseSchema(
  'LoginChallenge',
  z.object({
    status: z.literal('verification_required'),
    challengeId: uuid,
    expiresAt: timestamp,
    detail: z.string(),
  }),
);
export type ChallengeView = z.infer<typeof challengeSchema>;

const loggedIn = { description: 'Logged in.', json: tokensSchema } as const;
const challenged = {
  description:
    'A code was emailed (a new device or an unusual place): send it to /v1/auth/login/verify.',
  json: challengeSchema,
} as const;

export const authOperations = {
  signUp: defineOperation({
    method: 'post',
    path: '/v1/auth/signup',
    operationId: 'signUp',
    tag: 'accounts',
    summary: 'Create an account and log in',
    description: 'The free plan starts at once; the welcome email follows.',
    auth: 'none',
    body: { json: signUpBody },
    responses: { 201: { description: 'The account and its first session.', json: tokensSchema } },
    problems: ['conflict'],
    rateLimited: true,
  }),
  logIn: defineOperation({
    method: 'post',
    path: '/v1/auth/login',
    operationId: 'logIn',
    tag: 'accounts',
    summary: 'Log in with email and password',
    auth: 'none',
    body: { json: logInBody },
    responses: { 200: loggedIn, 202: challenged },
    problems: [
      'invalid-credentials',
      'too-many-attempts',
      'rate-limited',
      'account-locked',
      'account-frozen',
      'account-suspended',
      'account-deleting',
    ],
  }),
  googleSignIn: defineOperation({
    method: 'post',
    path: '/v1/auth/google',
    operationId: 'googleSignIn',
    tag: 'accounts',
    summary: 'Sign in with a Google ID token',
    description:
      'The account is created, or linked by its verified email, the first time; later sign-ins are checked like a password log-in.',
    auth: 'none',
    body: { json: googleBody },
    responses: { 200: loggedIn, 202: challenged },
    problems: [
      'invalid-google-token',
      'google-sign-in-disabled',
      'identity-provider-unavailable',
      'rate-limited',
      'account-locked',
      'account-frozen',
      'account-suspended',
      'account-deleting',
    ],
  }),
  verifyLogin: defineOperation({
    method: 'post',
    path: '/v1/auth/login/verify',
    operationId: 'verifyLogin',
    tag: 'accounts',
    summary: 'Finish a challenged log-in with the emailed code',
    auth: 'none',
    body: { json: verifyBody },
    responses: { 200: loggedIn },
    problems: ['wrong-code', 'challenge-expired', 'too-many-attempts', 'rate-limited'],
  }),
  forgotPassword: defineOperation({
    method: 'post',
    path: '/v1/auth/password/forgot',
    operationId: 'forgotPassword',
    tag: 'accounts',
    summary: 'Email a password reset link',
    description: 'Always 202, whether or not the account exists (no way to probe for accounts).',
    auth: 'none',
    body: { json: forgotBody },
    responses: {
      202: {
        description: 'Sent, if there is such an account.',
        json: responseSchema(
          'ForgotPasswordAnswer',
          z.object({ status: z.literal('sent_if_account_exists') }),
        ),
      },
    },
    rateLimited: true,
  }),
  resetPassword: defineOperation({
    method: 'post',
    path: '/v1/auth/password/reset',
    operationId: 'resetPassword',
    tag: 'accounts',
    summary: 'Choose a new password with the emailed link',
    description: 'Every session of the account ends.',
    auth: 'none',
    body: { json: resetBody },
    responses: { 204: { description: 'The password is changed.', empty: true } },
    problems: ['invalid-link'],
  }),
  unlock: defineOperation({
    method: 'post',
    path: '/v1/auth/unlock',
    operationId: 'unlockLogin',
    tag: 'accounts',
    summary: 'Unlock log-in with the link from the "too many attempts" email',
    auth: 'none',
    body: { json: unlockBody },
    responses: { 204: { description: 'Log-in works again.', empty: true } },
    problems: ['invalid-link'],
  }),
  refresh: defineOperation({
    method: 'post',
    path: '/v1/auth/refresh',
    operationId: 'refreshSession',
    tag: 'accounts',
    summary: 'New tokens for a refresh token',
    description:
      'The refresh token rotates: the one sent no longer works. Sending a used one again ends the session.',
    auth: 'none',
    body: { json: refreshBody },
    responses: { 200: { description: 'New tokens.', json: tokensSchema } },
    problems: ['invalid-refresh-token', 'account-locked', 'account-frozen', 'account-deleting'],
  }),
  logOut: defineOperation({
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'logOut',
    tag: 'accounts',
    summary: 'End the session of a refresh token',
    auth: 'none',
    body: { json: refreshBody },
    responses: { 204: { description: 'The session has ended.', empty: true } },
  }),
} as const;
