import { serviceConfigSchema, z } from '@fluxnote/config';

export const notificationsConfigSchema = serviceConfigSchema({});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
