import type { Request } from 'express';
import type { accountsV1 } from '@fluxnote/contracts';

/** Where the request came from; `req.ip` honours X-Forwarded-For only from trusted proxies. */
export function clientInfo(request: Request): accountsV1.ClientInfo {
  return {
    ip: request.ip ?? '',
    country: '',
    deviceId: '',
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 500),
  };
}
