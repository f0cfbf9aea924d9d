import type { DeadLetter } from './dead-letters';
import {
  deadLetterJson,
  formatDeadLetterTable,
  parseDeadLettersCommand,
  UsageError,
  type DeadLettersCommand,
} from './dead-letters-command';

describe('parseDeadLettersCommand', () => {
  const accepted: [string, string[], DeadLettersCommand][] = [
    ['no command', [], { command: 'help' }],
    ['--help', ['list', '--help'], { command: 'help' }],
    ['list', ['list'], { command: 'list', filter: { resolved: false }, json: false }],
    [
      'list with filters, resolved ones and JSON',
      ['list', '--topic', 'fluxnote.billing.v1', '--group', 'support', '--all', '--json'],
      {
        command: 'list',
        filter: { topic: 'fluxnote.billing.v1', group: 'support', resolved: true },
        json: true,
      },
    ],
    ['show', ['show', '17'], { command: 'show', id: '17' }],
    ['replay ids', ['replay', '17', '18'], { command: 'replay', ids: ['17', '18'] }],
    [
      'replay every open one of a group',
      ['replay', '--every', '--group', 'notifications'],
      { command: 'replay', every: { group: 'notifications' } },
    ],
    [
      'discard',
      ['discard', 'fluxnote.billing.v1.dlq/0/3'],
      { command: 'discard', ids: ['fluxnote.billing.v1.dlq/0/3'] },
    ],
    ['discard every', ['discard', '--every'], { command: 'discard', every: {} }],
  ];
  it.each(accepted)('%s', (_name, argv, expected) => {
    expect(parseDeadLettersCommand(argv)).toEqual(expected);
  });

  const refused: [string, string[], RegExp][] = [
    ['an unknown command', ['purge'], /unknown command "purge"/],
    ['an unknown option', ['list', '--topics', 'x'], /--topics/],
    ['ids to list', ['list', '17'], /list takes no ids/],
    ['show without an id', ['show'], /exactly one id/],
    ['show with two ids', ['show', '1', '2'], /exactly one id/],
    ['replay with nothing', ['replay'], /at least one id, or --every/],
    ['ids and --every', ['replay', '1', '--every'], /either ids or --every/],
    ['a filter without --every', ['discard', '--topic', 't', '1'], /with --every only/],
    ['--every to list', ['list', '--every'], /--every applies to replay and discard/],
    ['--all to replay', ['replay', '--all'], /--all applies to list/],
    ['--json to show', ['show', '1', '--json'], /--json applies to list/],
    ['an option without its value', ['list', '--topic'], /--topic/],
  ];
  it.each(refused)('refuses %s', (_name, argv, message) => {
    expect(() => parseDeadLettersCommand(argv)).toThrow(UsageError);
    expect(() => parseDeadLettersCommand(argv)).toThrow(message);
  });
});

const letter: DeadLetter = {
  id: '7',
  topic: 'fluxnote.billing.v1',
  group: 'notifications',
  partition: 2,
  offset: '41',
  key: 'user-1',
  payload: '{"id":"e-1","type":"billing.refund.decided.v1"}',
  eventId: 'e-1',
  eventType: 'billing.refund.decided.v1',
  error: 'template missing:\n  refund-decided',
  attempts: 5,
  deadAt: new Date('2026-12-01T10:00:00Z'),
};

describe('formatDeadLetterTable', () => {
  it('prints one aligned row per dead letter, the error on one line', () => {
    const replayed: DeadLetter = {
      ...letter,
      id: '8',
      payload: 'not json',
      eventId: undefined,
      eventType: undefined,
      error: 'x'.repeat(100),
      resolution: { action: 'replayed', at: new Date('2026-12-02T09:00:00Z') },
    };
    expect(formatDeadLetterTable([letter, replayed]).split('\n')).toEqual([
      'ID  TOPIC                GROUP          EVENT                      ATTEMPTS  DEAD AT                   STATUS                             ERROR',
      '7   fluxnote.billing.v1  notifications  billing.refund.decided.v1  5         2026-12-01T10:00:00.000Z  open                               template missing: refund-decided',
      `8   fluxnote.billing.v1  notifications  (not an envelope)          5         2026-12-01T10:00:00.000Z  replayed 2026-12-02T09:00:00.000Z  ${'x'.repeat(79)}…`,
      '',
    ]);
  });

  it('says when there are none', () => {
    expect(formatDeadLetterTable([])).toBe('no dead letters\n');
  });
});

describe('deadLetterJson', () => {
  it('shows the payload parsed when it is JSON, as the string it is otherwise', () => {
    expect(deadLetterJson(letter)).toMatchObject({
      id: '7',
      payload: { id: 'e-1', type: 'billing.refund.decided.v1' },
      deadAt: '2026-12-01T10:00:00.000Z',
      resolution: null,
    });
    expect(deadLetterJson({ ...letter, payload: '<xml/>' }).payload).toBe('<xml/>');
  });
});
