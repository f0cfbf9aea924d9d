import { Controller } from '@nestjs/common';
import { accountsV1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { required, toSession } from '../users/account-messages';
import { Sessions } from './sessions';

/** `SessionsService`: refresh, log-out, and the ended sessions the gateway refuses. */
@Controller()
@AlsoServedAs(accountsV1.ACCOUNTS_SERVICE_NAME)
@accountsV1.SessionsServiceControllerMethods()
export class SessionsGrpcController implements accountsV1.SessionsServiceController {
  constructor(private readonly sessions: Sessions) {}

  async refresh(request: accountsV1.RefreshRequest): Promise<accountsV1.Session> {
    return toSession(await this.sessions.rotate(required(request.refreshToken, 'refreshToken')));
  }

  async logOut(request: accountsV1.LogOutRequest): Promise<accountsV1.LogOutResult> {
    if (request.refreshToken) {
      await this.sessions.logOut(request.refreshToken);
    }
    return {};
  }

  async listRevocations(
    request: accountsV1.ListRevocationsRequest,
  ): Promise<accountsV1.ListRevocationsResult> {
    const items = await this.sessions.revocationsAfter(request.afterSeq);
    return {
      items: items.map((r) => ({
        seq: r.seq,
        userId: r.userId,
        sessionId: r.sessionId,
        endedAt: r.endedAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
      })),
    };
  }
}
