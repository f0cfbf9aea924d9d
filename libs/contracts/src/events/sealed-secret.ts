import { z } from 'zod';

/** What a sealed secret is for; bound into the seal, so one kind can't pass for another. */
export const secretPurposes = ['login_code', 'unlock_token', 'reset_token'] as const;
export type SecretPurpose = (typeof secretPurposes)[number];

/**
 * A credential an event carries to the user's inbox (a log-in code, a one-time link's token),
 * sealed for notifications alone: a compact JWE, opened with notifications' private key
 * (`libs/platform/src/sealed-secrets.ts`). No event carries such a secret in any other form;
 * `libs/contracts/src/events/secrets-off-the-bus.spec.ts` checks every event type.
 */
export const sealedSecret = z
  .string()
  .regex(/^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/, 'must be a compact JWE');
