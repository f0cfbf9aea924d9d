import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe("the README's SDK tour", () => {
  it('is examples/sdk-tour.ts as it is (the end-to-end suite runs that file)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const shown = /<!-- sdk-tour:start -->\n```ts\n([\s\S]*?)```\n<!-- sdk-tour:end -->/.exec(
      readme,
    );
    expect(shown?.[1]).toBe(readFileSync(join(root, 'examples/sdk-tour.ts'), 'utf8'));
  });
});
