import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** What the commit-msg hook says of a message: commitlint with the repository's config. */
function lint(message: string): { ok: boolean; output: string } {
  const result = spawnSync(join(root, 'node_modules', '.bin', 'commitlint'), [], {
    cwd: root,
    input: message,
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const subjectOf = (length: number): string => {
  const head = 'fix(gateway): ';
  return head + 'a'.repeat(length - head.length);
};

describe('commit messages (the commit-msg hook npm install sets up)', () => {
  it.each([
    ['a 72-character subject', subjectOf(72), true],
    ['a 73-character subject', subjectOf(73), false],
    ['a subject with a long body', `${subjectOf(60)}\n\n${'why it changed, '.repeat(20)}`, true],
    ['no type', 'made things better', false],
    ['an unknown type', 'stuff: made things better', false],
  ])('%s', (_what, message, ok) => {
    const verdict = lint(message);
    expect(verdict.ok ? 'accepted' : `refused: ${verdict.output}`).toMatch(
      ok ? /^accepted$/ : /^refused: /,
    );
  });

  it('is installed by npm install and runs commitlint on the message', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['prepare']).toBe('husky');
    expect(readFileSync(join(root, '.husky', 'commit-msg'), 'utf8')).toContain('commitlint --edit');
  });
});
