import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, concatMap, from, throwError, type Observable } from 'rxjs';
import { RevocationList } from './revocation-list';

/**
 * For routes whose call may end sessions (log-out, a reused refresh token, a password reset,
 * "not me", a freeze by a SECURITY ticket, a suspension, a deletion): the answer waits until
 * this gateway has pulled the revocations, so from the caller's next request on, the ended
 * sessions' access tokens are refused here. Other replicas catch up within REVOCATION_POLL_MS.
 * A refused call may have ended sessions too (a reused refresh token ends its family).
 */
@Injectable()
export class CatchUpRevocations implements NestInterceptor {
  constructor(private readonly revocations: RevocationList) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await this.revocations.catchUp();
        return value;
      }),
      catchError((error: unknown) =>
        from(this.revocations.catchUp()).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }
}

/** Marks a route whose call may end sessions (see CatchUpRevocations). */
export const EndsSessions = (): MethodDecorator & ClassDecorator =>
  UseInterceptors(CatchUpRevocations);
