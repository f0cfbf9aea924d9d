import { Controller } from '@nestjs/common';
import { notificationsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { deliveryOut } from '../feed/notification-messages';
import { FeedService } from '../feed/feed.service';

/** `DeliveriesService`: the deliveries that gave up, for operations. */
@Controller()
@AlsoServedAs(v1.NOTIFICATIONS_SERVICE_NAME)
@v1.DeliveriesServiceControllerMethods()
export class DeliveriesGrpcController implements v1.DeliveriesServiceController {
  constructor(private readonly feed: FeedService) {}

  async listDeadDeliveries(request: v1.ListDeadDeliveriesRequest): Promise<v1.DeliveryList> {
    return { deliveries: (await this.feed.deadDeliveries(request.limit)).map(deliveryOut) };
  }
}
