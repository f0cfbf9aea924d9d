import { serviceConfigSchema, z } from '@fluxnote/config';
import { HolidayCalendar } from '../sla/holiday-calendar';

const address = z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port');

/** `brand=REGION,…` (`fluxnote=US,flux-kontext=IN-MH`) as a map; each region must be one date-holidays knows. */
export const holidayRegions = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const regions: Record<string, string> = {};
    for (const pair of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const match = /^([a-z0-9-]+)=([A-Z]{2}(?:-[A-Z0-9]+)?)$/.exec(pair);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not brand=REGION (fluxnote=US)` });
        return z.NEVER;
      }
      try {
        new HolidayCalendar(match[2]);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `"${match[2]}" is no holiday region (US, US-NY, IN-MH, GB-ENG, …)`,
        });
        return z.NEVER;
      }
      regions[match[1]] = match[2];
    }
    return regions;
  });

export const supportConfigSchema = serviceConfigSchema({
  /** Accounts' gRPC address (host:port): a SECURITY ticket freezes the account through it. */
  ACCOUNTS_GRPC_URL: address,
  /** Billing's (credit grants and refunds an agent gives). */
  BILLING_GRPC_URL: address,
  /** Generation's (job logs, approving a blocked prompt). */
  GENERATION_GRPC_URL: address,
  /** How often tickets waiting for a first response are checked against their targets. */
  SLA_WATCH_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Whose public holidays close each brand's support team, per brand (unset: the brand's policy, US). */
  SUPPORT_HOLIDAY_REGIONS: holidayRegions,
});

export type SupportConfig = z.infer<typeof supportConfigSchema>;
export const SUPPORT_CONFIG = Symbol('SUPPORT_CONFIG');
