import { Controller } from '@nestjs/common';
import { accountsV1, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { DeletionService } from './deletion.service';

/** `AccountDeletionService`: deleting an account starts the purge across services. */
@Controller()
@AlsoServedAs(accountsV1.ACCOUNTS_SERVICE_NAME)
@accountsV1.AccountDeletionServiceControllerMethods()
export class AccountDeletionGrpcController implements accountsV1.AccountDeletionServiceController {
  constructor(private readonly deletions: DeletionService) {}

  async deleteAccount(request: accountsV1.GetUserRequest): Promise<accountsV1.AccountDeletion> {
    const deletion = await this.deletions.request(requireUuid(request.userId, 'userId'));
    return { deletionId: deletion.deletionId, purgeBy: deletion.purgeBy.toISOString() };
  }
}
