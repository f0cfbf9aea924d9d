export * from './load-config';
export * from './base-config';
export { z } from 'zod';
