import { Controller } from '@nestjs/common';
import { accountsV1, ProblemError, parseInput, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { signUpInput, toSession, toUser } from './account-messages';
import { loginClient } from '../security/login-history';
import { IdentityService } from './identity.service';

/** `UsersService`: sign-up, who a user is, and which accounts are not active. */
@Controller()
@AlsoServedAs(accountsV1.ACCOUNTS_SERVICE_NAME)
@accountsV1.UsersServiceControllerMethods()
export class UsersGrpcController implements accountsV1.UsersServiceController {
  constructor(private readonly identity: IdentityService) {}

  async signUp(request: accountsV1.SignUpRequest): Promise<accountsV1.Session> {
    const client = loginClient(request.client);
    const input = parseInput(signUpInput, {
      email: request.email,
      password: request.password,
      brand: request.brand || 'fluxnote',
      country: request.country ? request.country.toUpperCase() : client.country,
    });
    return toSession(await this.identity.signUp({ ...input, client }));
  }

  async getUser(request: accountsV1.GetUserRequest): Promise<accountsV1.User> {
    return toUser(await this.identity.getUser(request.userId));
  }

  async listRestrictedAccounts(
    request: accountsV1.ListRestrictedAccountsRequest,
  ): Promise<accountsV1.ListRestrictedAccountsResult> {
    if (request.limit < 0 || request.limit > 1000) {
      throw ProblemError.badRequest('limit is 1 to 1000 (0 for 500).', { field: 'limit' });
    }
    const accounts = await this.identity.restricted(
      request.afterUserId ? requireUuid(request.afterUserId, 'afterUserId') : null,
      request.limit || 500,
    );
    return {
      items: accounts.map((a) => ({
        userId: a.userId,
        status: a.status,
        changedAt: a.changedAt.toISOString(),
      })),
    };
  }
}
