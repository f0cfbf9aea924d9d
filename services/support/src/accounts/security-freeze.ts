import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { accountsV1 } from '@fluxnote/contracts';
import { createGrpcClient, type GrpcClientHandle } from '@fluxnote/grpc';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';

/** The port a SECURITY ticket freezes its owner's account through. */
export abstract class SecurityFreeze {
  abstract freeze(userId: string, ticketId: string, note: string): Promise<void>;
}

/** Accounts over gRPC (`FreezeForSecurityTicket`): idempotent, so a retried ticket freezes once. */
@Injectable()
export class AccountsSecurityFreeze extends SecurityFreeze implements OnModuleDestroy {
  private readonly handle: GrpcClientHandle<accountsV1.AccountsServiceClient>;

  constructor(@Inject(SUPPORT_CONFIG) config: SupportConfig) {
    super();
    this.handle = createGrpcClient<accountsV1.AccountsServiceClient>(
      {
        package: accountsV1.protobufPackage,
        file: accountsV1.protobufFileName,
        service: accountsV1.ACCOUNTS_SERVICE_NAME,
      },
      config.ACCOUNTS_GRPC_URL,
      { deadlineMs: config.GRPC_DEADLINE_MS, serviceLabel: 'accounts' },
    );
  }

  async freeze(userId: string, ticketId: string, note: string): Promise<void> {
    await this.handle.client.freezeForSecurityTicket({ userId, ticketId, note });
  }

  onModuleDestroy(): void {
    this.handle.close();
  }
}
