import {
  agentQueueOrder,
  intake,
  PriorityClass,
  priorityClassName,
  queueRank,
  type Escalation,
  type Intake,
  type IntakeFacts,
  type QueuedTicket,
} from './intake.rules';

const facts = (over: Partial<IntakeFacts>): IntakeFacts => ({
  firstLine: 'My video is stuck',
  category: 'technical_fault',
  plan: 'pro',
  channel: 'chat',
  ...over,
});

/** A ticket taken: a Pro customer's ordinary one unless told otherwise. */
const taken = (over: Partial<Extract<Intake, { refused: null }>> = {}): Intake => ({
  refused: null,
  security: false,
  freeze: false,
  tags: [],
  priorityClass: 2,
  forSeniors: false,
  ...over,
});

describe('ticket intake (SPEC §5; seed 000: SECURITY and PRIORITY in the first line)', () => {
  const rows: [string, IntakeFacts, Intake][] = [
    ['a Pro customer’s chat', facts({}), taken()],
    [
      'a Free customer’s email',
      facts({ plan: 'free', channel: 'email' }),
      taken({ priorityClass: 3 }),
    ],
    [
      'SECURITY first: frozen at once, in front of a senior agent',
      facts({ firstLine: 'SECURITY', category: 'security', plan: 'free', channel: 'email' }),
      taken({ security: true, freeze: true, priorityClass: 0, forSeniors: true }),
    ],
    [
      'security words without the keyword: a senior agent first, no freeze',
      facts({ firstLine: 'I think I was hacked', category: 'security' }),
      taken({ security: true, priorityClass: 0, forSeniors: true }),
    ],
    [
      'PRIORITY from a Max customer: the priority tag and class',
      facts({ firstLine: 'PRIORITY', plan: 'max' }),
      taken({ tags: ['priority'], priorityClass: 1 }),
    ],
    [
      'PRIORITY from a Pro customer: no effect',
      facts({ firstLine: 'PRIORITY', plan: 'pro' }),
      taken(),
    ],
    ['a Max customer without the keyword: the paid class', facts({ plan: 'max' }), taken()],
    [
      'a legal matter by chat: refused, email only',
      facts({ category: 'legal' }),
      { refused: 'legal-by-email' },
    ],
    ['a legal matter by email: taken', facts({ category: 'legal', channel: 'email' }), taken()],
  ];
  it.each(rows)('%s', (_what, given, expected) => {
    expect(intake(given)).toEqual(expected);
  });

  it.each([
    [PriorityClass.Security, 'security'],
    [PriorityClass.MaxPriority, 'max_priority'],
    [PriorityClass.Paid, 'paid'],
    [PriorityClass.Free, 'free'],
  ])('names class %d %s', (stored, name) => {
    expect(priorityClassName(stored)).toBe(name);
  });
});

describe('the agent queue: class, then the earliest due; a breached ticket moves up one class', () => {
  it.each([
    [PriorityClass.Free, null, 3],
    [PriorityClass.Free, 'near', 3],
    [PriorityClass.Free, 'breached', 2],
    [PriorityClass.Paid, 'breached', 1],
    [PriorityClass.MaxPriority, 'breached', 0],
    [PriorityClass.Security, 'breached', 0],
  ] as [number, Escalation, number][])(
    'class %d, escalation %s: rank %d',
    (cls, escalation, rank) => {
      expect(queueRank(cls, escalation)).toBe(rank);
    },
  );

  const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 9, minute));
  const t = (
    name: string,
    priorityClass: number,
    minute: number,
    escalation: Escalation = null,
  ) => ({
    name,
    priorityClass,
    escalation,
    dueAt: at(minute),
  });
  it('serves security, Max priority, paid, then free, each by due time', () => {
    const queue: (QueuedTicket & { name: string })[] = [
      t('free, due first', 3, 0),
      t('paid, due late', 2, 50),
      t('paid, due early', 2, 10),
      t('max', 1, 40),
      t('security', 0, 59),
      t('free, breached', 3, 5, 'breached'),
    ];
    expect([...queue].sort(agentQueueOrder).map((x) => x.name)).toEqual([
      'security',
      'max',
      'free, breached',
      'paid, due early',
      'paid, due late',
      'free, due first',
    ]);
  });
});
