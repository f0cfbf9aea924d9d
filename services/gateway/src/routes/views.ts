import { z } from 'zod';
import type { accountsV1, generationV1, notificationsV1 } from '@fluxnote/contracts';
import { responseSchema, timestamp, uuid } from '../api/schemas';

export const userSchema = responseSchema(
  'User',
  z.object({
    id: uuid,
    email: z.string(),
    brand: z.enum(['fluxnote', 'flux-kontext']),
    country: z.string().nullable().meta({ description: 'ISO 3166 alpha-2, as signed up with.' }),
    roles: z.array(z.enum(['user', 'agent', 'senior_agent', 'admin'])),
    status: z.enum(['active', 'locked', 'frozen', 'suspended', 'deleting']),
    createdAt: timestamp,
  }),
);
export type UserView = z.infer<typeof userSchema>;

export function userView(user: accountsV1.User): UserView {
  return {
    id: user.id,
    email: user.email,
    brand: user.brand as UserView['brand'],
    country: user.country || null,
    roles: user.roles as UserView['roles'],
    status: user.status as UserView['status'],
    createdAt: user.createdAt,
  };
}

export const generationSchema = responseSchema(
  'Generation',
  z.object({
    id: uuid,
    status: z.enum(['queued', 'processing', 'succeeded', 'failed', 'blocked', 'cancelled']),
    model: z.string(),
    mode: z.string(),
    prompt: z.string(),
    durationSec: z.number().int().optional(),
    aspectRatio: z.string().optional(),
    projectId: uuid.optional(),
    lane: z.enum(['priority', 'shared']).meta({
      description: '`priority` (Max plan, served before the shared lane) or `shared`.',
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
    reserved: z.object({ videoCredits: z.number().int(), imageCredits: z.number().int() }),
    options: z
      .object({
        voiceClone: uuid.optional(),
        voiceId: z.string().optional(),
        faceIdentity: uuid.optional(),
        captions: z.string().optional(),
        imageUrl: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          'The options the job uses (a voice clone or face identity deleted since no longer shows).',
      }),
    failure: z.object({ reason: z.string(), refunded: z.boolean(), detail: z.string() }).optional(),
    output: z.object({ url: z.string() }).optional(),
  }),
);
export type GenerationView = z.infer<typeof generationSchema>;

export function generationView(job: generationV1.Job): GenerationView {
  return {
    id: job.id,
    status: job.status as GenerationView['status'],
    model: job.model,
    mode: job.mode,
    prompt: job.prompt,
    ...(job.durationSec ? { durationSec: job.durationSec } : {}),
    ...(job.aspectRatio ? { aspectRatio: job.aspectRatio } : {}),
    ...(job.projectId ? { projectId: job.projectId } : {}),
    lane: job.lane as GenerationView['lane'],
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    reserved: { videoCredits: job.reserved?.video ?? 0, imageCredits: job.reserved?.image ?? 0 },
    ...(job.options
      ? {
          options: {
            voiceClone: job.options.voiceCloneId,
            voiceId: job.options.voiceId,
            faceIdentity: job.options.faceIdentityId,
            captions: job.options.captions,
            imageUrl: job.options.imageUrl,
          },
        }
      : {}),
    ...(job.failure ? { failure: job.failure } : {}),
    ...(job.output ? { output: job.output } : {}),
  };
}

const deliveryStatus = z.enum(['pending', 'sent', 'dead']);

export const notificationSchema = responseSchema(
  'Notification',
  z.object({
    id: uuid,
    category: z.enum(['jobs', 'billing', 'security', 'support', 'product', 'operations']),
    title: z.string(),
    body: z.string(),
    createdAt: timestamp,
    readAt: timestamp.nullable(),
    data: z.record(z.string(), z.unknown()).meta({ description: 'What the message is about.' }),
    deliveries: z
      .array(
        z.object({
          channel: z.string(),
          status: deliveryStatus,
          attempts: z.number().int(),
          sentAt: timestamp.nullable(),
        }),
      )
      .meta({ description: 'How it went out on the other channels (email, push).' }),
  }),
);
export type NotificationView = z.infer<typeof notificationSchema>;

export function notificationView(n: notificationsV1.Notification): NotificationView {
  return {
    id: n.id,
    category: n.category as NotificationView['category'],
    title: n.title,
    body: n.body,
    createdAt: n.createdAt,
    readAt: n.readAt ?? null,
    data: n.dataJson ? (JSON.parse(n.dataJson) as Record<string, unknown>) : {},
    deliveries: n.deliveries.map((d) => ({
      channel: d.channel,
      status: d.status as NotificationView['deliveries'][number]['status'],
      attempts: d.attempts,
      sentAt: d.sentAt || null,
    })),
  };
}

export const deadDeliverySchema = responseSchema(
  'DeadDelivery',
  z.object({
    id: uuid,
    userId: uuid,
    channel: z.string(),
    category: z.string(),
    status: deliveryStatus,
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: timestamp,
  }),
);

/** A delivery as operations see it in the dead-letter list. */
export function deliveryView(d: notificationsV1.Delivery): z.infer<typeof deadDeliverySchema> {
  return {
    id: d.id,
    userId: d.userId,
    channel: d.channel,
    category: d.category,
    status: d.status as 'dead',
    attempts: d.attempts,
    lastError: d.lastError || null,
    createdAt: d.createdAt,
  };
}
