import { startTelemetry } from '@fluxnote/telemetry';

startTelemetry('accounts');
