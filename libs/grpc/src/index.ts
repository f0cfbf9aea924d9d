export * from './proto-files';
export * from './problem-status';
export * from './grpc-client';
export * from './grpc-server';
export * from './bootstrap-service';
export * from './platform-clients';
export * from './stop-gracefully';
export * from './grpc-metrics';
