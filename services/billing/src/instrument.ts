import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('billing');
