import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { GatewayConfig } from '../config/gateway.config';

/**
 * What every answer of the gateway tells a browser: HTTPS only from now on (HSTS, a year, with
 * subdomains), no content sniffing, never inside a frame (X-Frame-Options and CSP
 * frame-ancestors), no referrer to other sites, no `X-Powered-By`; and which browser origins
 * may call the API (CORS_ORIGINS, per environment; none by default).
 */
export function applySecurityHeaders(
  app: NestExpressApplication,
  config: Pick<GatewayConfig, 'CORS_ORIGINS'>,
): void {
  app.disable('x-powered-by');
  app.use(
    helmet({
      // The API answers JSON; the one HTML page (/docs) runs Swagger UI's own scripts, so the
      // policy only forbids framing rather than listing sources.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc,
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  app.enableCors({
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
    exposedHeaders: ['Retry-After', 'Location'],
    maxAge: 600,
  });
}
