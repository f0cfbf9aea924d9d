import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('notifications');
