import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('support');
