import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('gateway');
