import type { OperationSpec } from './endpoint';
import { accountOperations } from '../routes/account.api';
import { adminOperations } from '../routes/admin.api';
import { authOperations } from '../routes/auth.api';
import { billingOperations } from '../routes/billing.api';
import {
  faceIdentityOperations,
  generationOperations,
  voiceCloneOperations,
} from '../routes/generations.api';
import { notificationOperations } from '../routes/notifications.api';
import { publicOperations, readinessOperation } from '../routes/platform.api';
import { supportOperations } from '../routes/support.api';
import { webhookOperations } from '../routes/webhooks.api';

/** Every operation of the public API, in the order the document lists them. */
export const operations: readonly OperationSpec[] = [
  ...Object.values(authOperations),
  ...Object.values(accountOperations),
  ...Object.values(billingOperations),
  ...Object.values(generationOperations),
  ...Object.values(voiceCloneOperations),
  ...Object.values(faceIdentityOperations),
  ...Object.values(notificationOperations),
  ...Object.values(supportOperations),
  ...Object.values(adminOperations),
  ...Object.values(webhookOperations),
  ...Object.values(publicOperations),
  readinessOperation,
];
