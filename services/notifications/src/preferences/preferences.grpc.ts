import { Controller } from '@nestjs/common';
import { notificationsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { changesIn, preferencesOut } from '../feed/notification-messages';
import { PreferencesService } from './preferences.service';

/** `PreferencesService`: which categories reach a user on which channels. */
@Controller()
@AlsoServedAs(v1.NOTIFICATIONS_SERVICE_NAME)
@v1.PreferencesServiceControllerMethods()
export class PreferencesGrpcController implements v1.PreferencesServiceController {
  constructor(private readonly preferences: PreferencesService) {}

  async getPreferences(request: v1.UserRef): Promise<v1.Preferences> {
    return preferencesOut(await this.preferences.get(request.userId));
  }

  async updatePreferences(request: v1.UpdatePreferencesRequest): Promise<v1.Preferences> {
    return preferencesOut(
      await this.preferences.update(request.userId, changesIn(request.changes)),
    );
  }
}
