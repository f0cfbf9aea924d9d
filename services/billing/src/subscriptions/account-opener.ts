import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { from, throwError, catchError, switchMap, type Observable } from 'rxjs';
import { ProblemError } from '@fluxnote/contracts';
import { AccountsDirectory } from '@fluxnote/platform';
import { LedgerService } from '../ledger/ledger.service';
import { freePlanId } from '../plans/plan-catalog';
import { isAccountNotOpened } from './billing-account.repository';

/**
 * A billing account opens from accounts' registration event, which may arrive after the new
 * user's first request (their usage, a subscription, a job's hold). A call refused because the
 * account is not there yet asks accounts about the user once, opens the account as the event
 * would (the same idempotent insert: whichever comes first opens it, the other does nothing),
 * and runs again. A user accounts does not know, or one being deleted, keeps the refusal.
 */
@Injectable()
export class OpenAccountOnFirstSight implements NestInterceptor {
  constructor(
    private readonly directory: AccountsDirectory,
    private readonly ledger: LedgerService,
    private readonly dataSource: DataSource,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const userId = (context.switchToRpc().getData<{ userId?: unknown } | undefined>() ?? {}).userId;
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          isAccountNotOpened(error) && typeof userId === 'string'
            ? from(this.open(userId)).pipe(
                switchMap((opened) => (opened ? next.handle() : throwError(() => error))),
              )
            : throwError(() => error),
        ),
      );
  }

  /** Opens the account of a user accounts knows; false when there is none to open. */
  async open(userId: string): Promise<boolean> {
    const user = await this.directory.lookUp(userId).catch(() => {
      throw ProblemError.unavailable(
        'Your billing account is being opened and accounts did not answer; retry in a moment.',
      );
    });
    if (!user || user.status === 'deleting') {
      return false;
    }
    await this.dataSource.transaction((manager) =>
      this.ledger.openAccount(manager, userId, user.brand, freePlanId, user.country),
    );
    return true;
  }
}
