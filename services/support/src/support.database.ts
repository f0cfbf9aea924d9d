import type { ServiceDatabase } from '@fluxnote/platform';
import { InitialSupport1763700000500 } from './migrations/1763700000500-initial-support';
import { Tickets1764300000700 } from './migrations/1764300000700-tickets';
import { AgentDesk1764300000800 } from './migrations/1764300000800-agent-desk';
import { AppealTickets1764300000900 } from './migrations/1764300000900-appeal-tickets';
import { AgentActions1764400000100 } from './migrations/1764400000100-agent-actions';
import { Escalations1764400000200 } from './migrations/1764400000200-escalations';
import { EmailThreads1764400000300 } from './migrations/1764400000300-email-threads';
import { ChatStream1764400000400 } from './migrations/1764400000400-chat-stream';
import { DisputeTickets1764900000200 } from './migrations/1764900000200-dispute-tickets';

/** The support schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const supportDatabase: ServiceDatabase = {
  service: 'support',
  entities: [],
  migrations: [
    InitialSupport1763700000500,
    Tickets1764300000700,
    AgentDesk1764300000800,
    AppealTickets1764300000900,
    AgentActions1764400000100,
    Escalations1764400000200,
    EmailThreads1764400000300,
    ChatStream1764400000400,
    DisputeTickets1764900000200,
  ],
};
