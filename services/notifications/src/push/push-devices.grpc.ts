import { Controller } from '@nestjs/common';
import { notificationsV1 as v1, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { pushDeviceOut } from '../feed/notification-messages';
import { PushDevices } from './push-devices.service';

/** `PushDevicesService`: the devices a user's mobile push goes to. */
@Controller()
@AlsoServedAs(v1.NOTIFICATIONS_SERVICE_NAME)
@v1.PushDevicesServiceControllerMethods()
export class PushDevicesGrpcController implements v1.PushDevicesServiceController {
  constructor(private readonly devices: PushDevices) {}

  async registerPushDevice(request: v1.RegisterPushDeviceRequest): Promise<v1.PushDevice> {
    return pushDeviceOut(
      await this.devices.register(
        requireUuid(request.userId, 'userId'),
        request.token,
        request.platform,
      ),
    );
  }

  async unregisterPushDevice(request: v1.PushDeviceRef): Promise<v1.UnregisterPushDeviceResult> {
    await this.devices.unregister(requireUuid(request.userId, 'userId'), request.token);
    return {};
  }

  async listPushDevices(request: v1.UserRef): Promise<v1.PushDeviceList> {
    return {
      devices: (await this.devices.list(requireUuid(request.userId, 'userId'))).map(pushDeviceOut),
    };
  }
}
