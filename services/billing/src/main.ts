import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { billingV1 } from '@fluxnote/contracts';
import { bootstrapService, paymentServiceSpecs } from '@fluxnote/grpc';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { BillingModule } from './billing.module';
import { billingConfigSchema } from './config/billing.config';
import { billingDatabase } from './billing.database';

async function main(): Promise<void> {
  const config = loadConfigOrExit(billingConfigSchema, 'billing');
  if (isMigrateCommand()) {
    return runMigrations(billingDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
  await bootstrapService({
    name: 'billing',
    module: BillingModule.forRoot(config),
    grpc: [
      {
        package: billingV1.protobufPackage,
        file: billingV1.protobufFileName,
        service: billingV1.LEDGER_SERVICE_NAME,
      },
      ...Object.values(paymentServiceSpecs),
    ],
    config,
  });
}

void main();
