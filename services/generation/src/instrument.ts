import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('generation');
