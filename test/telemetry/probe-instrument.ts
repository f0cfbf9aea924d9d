import { startTelemetry } from '@fluxnote/telemetry';

// Before http, @grpc/grpc-js and pg load, so they are instrumented.
process.env['OTEL_TRACES_EXPORTER'] = 'memory';
startTelemetry('trace-probe');
