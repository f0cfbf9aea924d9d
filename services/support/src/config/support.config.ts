import { serviceConfigSchema, z } from '@fluxnote/config';

export const supportConfigSchema = serviceConfigSchema({});

export type SupportConfig = z.infer<typeof supportConfigSchema>;
