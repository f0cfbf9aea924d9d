import type { accountsV1, generationV1, notificationsV1 } from '@fluxnote/contracts';

export interface UserView {
  id: string;
  email: string;
  brand: string;
  country: string | null;
  roles: string[];
  status: string;
  createdAt: string;
}

export function userView(user: accountsV1.User): UserView {
  return {
    id: user.id,
    email: user.email,
    brand: user.brand,
    country: user.country || null,
    roles: user.roles,
    status: user.status,
    createdAt: user.createdAt,
  };
}

export interface GenerationView {
  id: string;
  status: string;
  model: string;
  mode: string;
  prompt: string;
  durationSec?: number;
  aspectRatio?: string;
  projectId?: string;
  /** `priority` (Max plan, served before the shared lane) or `shared`. */
  lane: string;
  createdAt: string;
  updatedAt: string;
  reserved: { videoCredits: number; imageCredits: number };
  /** The options the job uses (a voice clone or face identity deleted since no longer shows). */
  options?: {
    voiceClone?: string;
    voiceId?: string;
    faceIdentity?: string;
    captions?: string;
    imageUrl?: string;
  };
  failure?: { reason: string; refunded: boolean; detail: string };
  output?: { url: string };
}

export function generationView(job: generationV1.Job): GenerationView {
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    mode: job.mode,
    prompt: job.prompt,
    ...(job.durationSec ? { durationSec: job.durationSec } : {}),
    ...(job.aspectRatio ? { aspectRatio: job.aspectRatio } : {}),
    ...(job.projectId ? { projectId: job.projectId } : {}),
    lane: job.lane,
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

export interface NotificationView {
  id: string;
  category: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
  data: unknown;
  /** How it went out on the other channels (email): pending, sent or dead. */
  deliveries: { channel: string; status: string; attempts: number; sentAt: string | null }[];
}

export function notificationView(n: notificationsV1.Notification): NotificationView {
  return {
    id: n.id,
    category: n.category,
    title: n.title,
    body: n.body,
    createdAt: n.createdAt,
    readAt: n.readAt ?? null,
    data: n.dataJson ? (JSON.parse(n.dataJson) as unknown) : {},
    deliveries: n.deliveries.map((d) => ({
      channel: d.channel,
      status: d.status,
      attempts: d.attempts,
      sentAt: d.sentAt || null,
    })),
  };
}

/** A delivery as operations see it in the dead-letter list. */
export function deliveryView(d: notificationsV1.Delivery) {
  return {
    id: d.id,
    userId: d.userId,
    channel: d.channel,
    category: d.category,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError || null,
    createdAt: d.createdAt,
  };
}
