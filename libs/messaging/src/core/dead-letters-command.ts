import { parseArgs } from 'node:util';
import {
  DeadLetterNotFoundError,
  DeadLetterResolvedError,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterStore,
} from './dead-letters';

export const deadLettersUsage = `Usage: dead-letters <command> [options]

  list [--topic T] [--group G] [--all] [--json]   dead letters not yet replayed or discarded
                                                 (--all: those too, with what was done)
  show <id>                                      one dead letter with its payload, as JSON
  replay <id>...                                 publish them again to their topic
  replay --every [--topic T] [--group G]         replay every open one that matches
  discard <id>...                                mark them handled without replaying
  discard --every [--topic T] [--group G]        discard every open one that matches
`;

export type DeadLettersCommand =
  | { command: 'list'; filter: DeadLetterFilter; json: boolean }
  | { command: 'show'; id: string }
  | { command: 'replay' | 'discard'; ids: string[] }
  | { command: 'replay' | 'discard'; every: DeadLetterFilter }
  | { command: 'help' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command line after `dead-letters`, checked; UsageError says what is wrong. */
export function parseDeadLettersCommand(argv: readonly string[]): DeadLettersCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        topic: { type: 'string' },
        group: { type: 'string' },
        all: { type: 'boolean', default: false },
        every: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...ids] = positionals;
  const filter: DeadLetterFilter = {
    ...(values.topic !== undefined ? { topic: values.topic } : {}),
    ...(values.group !== undefined ? { group: values.group } : {}),
  };
  const onlyFor = (option: string, commands: string): void => {
    throw new UsageError(`--${option} applies to ${commands} only`);
  };
  if (values.help || command === undefined || command === 'help') {
    return { command: 'help' };
  }
  if (command !== 'list' && values.all) {
    onlyFor('all', 'list');
  }
  if (command !== 'list' && values.json) {
    onlyFor('json', 'list');
  }
  if (command !== 'replay' && command !== 'discard' && values.every) {
    onlyFor('every', 'replay and discard');
  }
  switch (command) {
    case 'list':
      if (ids.length > 0) {
        throw new UsageError(`list takes no ids (got ${ids.join(' ')}); use show <id>`);
      }
      return { command, filter: { ...filter, resolved: values.all }, json: values.json };
    case 'show':
      if (ids.length !== 1 || Object.keys(filter).length > 0) {
        throw new UsageError('show takes exactly one id and no options');
      }
      return { command, id: ids[0] };
    case 'replay':
    case 'discard':
      if (values.every) {
        if (ids.length > 0) {
          throw new UsageError(`${command} takes either ids or --every, not both`);
        }
        return { command, every: filter };
      }
      if (Object.keys(filter).length > 0) {
        throw new UsageError(`--topic and --group select dead letters with --every only`);
      }
      if (ids.length === 0) {
        throw new UsageError(`${command} needs at least one id, or --every`);
      }
      return { command, ids };
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

const columns = ['ID', 'TOPIC', 'GROUP', 'EVENT', 'ATTEMPTS', 'DEAD AT', 'STATUS', 'ERROR'];

/** `list` as a table: one dead letter per row, the error cut to keep rows on one line. */
export function formatDeadLetterTable(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) {
    return 'no dead letters\n';
  }
  const rows = letters.map((d) => [
    d.id,
    d.topic,
    d.group,
    d.eventType ?? '(not an envelope)',
    String(d.attempts),
    d.deadAt.toISOString(),
    d.resolution ? `${d.resolution.action} ${d.resolution.at.toISOString()}` : 'open',
    oneLine(d.error, 80),
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [line(columns), ...rows.map(line)].join('\n') + '\n';
}

/** One dead letter as JSON, its payload parsed when it is JSON. */
export function deadLetterJson(letter: DeadLetter): Record<string, unknown> {
  let payload: unknown = letter.payload;
  try {
    payload = JSON.parse(letter.payload);
  } catch {
    // not JSON: shown as the string it is
  }
  return {
    id: letter.id,
    topic: letter.topic,
    group: letter.group,
    partition: letter.partition,
    offset: letter.offset,
    key: letter.key,
    eventId: letter.eventId ?? null,
    eventType: letter.eventType ?? null,
    attempts: letter.attempts,
    error: letter.error,
    deadAt: letter.deadAt.toISOString(),
    resolution: letter.resolution
      ? { action: letter.resolution.action, at: letter.resolution.at.toISOString() }
      : null,
    payload,
  };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Runs one command against a store; returns the exit code: 0 done, 1 some id could not be
 * acted on (the others were), 2 a usage error.
 */
export async function runDeadLettersCommand(
  argv: readonly string[],
  store: () => DeadLetterStore,
  io: CommandOutput,
): Promise<number> {
  let command: DeadLettersCommand;
  try {
    command = parseDeadLettersCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`dead-letters: ${error.message}\n\n${deadLettersUsage}`);
      return 2;
    }
    throw error;
  }
  if (command.command === 'help') {
    io.out(deadLettersUsage);
    return 0;
  }
  const letters = store();
  try {
    return await run(command, letters, io);
  } finally {
    await letters.close();
  }
}

async function run(
  command: Exclude<DeadLettersCommand, { command: 'help' }>,
  store: DeadLetterStore,
  io: CommandOutput,
): Promise<number> {
  switch (command.command) {
    case 'list': {
      const letters = await store.list(command.filter);
      io.out(
        command.json
          ? letters.map((d) => `${JSON.stringify(deadLetterJson(d))}\n`).join('')
          : formatDeadLetterTable(letters),
      );
      return 0;
    }
    case 'show':
      try {
        io.out(`${JSON.stringify(deadLetterJson(await store.get(command.id)), null, 2)}\n`);
        return 0;
      } catch (error) {
        return reportExpected(error, io);
      }
    case 'replay':
    case 'discard': {
      const ids =
        'ids' in command
          ? command.ids
          : (await store.list({ ...command.every, resolved: false })).map((d) => d.id);
      let failed = 0;
      for (const id of ids) {
        try {
          const letter = await (command.command === 'replay'
            ? store.replay(id)
            : store.discard(id));
          io.out(
            `${command.command === 'replay' ? 'replayed' : 'discarded'} ${id} (${letter.topic})\n`,
          );
        } catch (error) {
          failed += reportExpected(error, io);
        }
      }
      if (ids.length === 0) {
        io.out('no open dead letters match\n');
      }
      return failed > 0 ? 1 : 0;
    }
  }
}

/** A missing or already resolved dead letter is reported, not thrown: exit code 1. */
function reportExpected(error: unknown, io: CommandOutput): number {
  if (error instanceof DeadLetterNotFoundError || error instanceof DeadLetterResolvedError) {
    io.err(`dead-letters: ${error.message}\n`);
    return 1;
  }
  throw error;
}
