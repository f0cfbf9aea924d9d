import { Registry } from 'prom-client';
import { groupCommit, groupCommitMetricName } from './group-commit';

/** A write whose statements the test lets return one at a time, recording what each carried. */
function heldWrite(fails: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  let concurrent = 0;
  let mostConcurrent = 0;
  const write = (items: readonly number[]) => {
    batches.push([...items]);
    concurrent += 1;
    mostConcurrent = Math.max(mostConcurrent, concurrent);
    return new Promise<number[]>((resolve, reject) => {
      pending.push(() => {
        concurrent -= 1;
        if (items.some(fails)) {
          reject(new Error(`item ${items.find(fails)} refused`));
        } else {
          resolve(items.map((item) => item * 10));
        }
      });
    });
  };
  /** Lets every statement in flight return, and the event loop carry their answers on. */
  const returnAll = async () => {
    while (pending.length > 0) {
      pending.splice(0).forEach((answer) => answer());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { write, batches, returnAll, mostConcurrent: () => mostConcurrent };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('groupCommit', () => {
  it('sends a lone write at once, alone', async () => {
    const held = heldWrite();
    const put = groupCommit(held.write, { statement: 'test', registry: new Registry() });
    const answer = put(4);
    await turn();
    expect(held.batches).toEqual([[4]]);
    await held.returnAll();
    await expect(answer).resolves.toBe(40);
  });

  it('gathers what arrives while a statement is in flight into the next one', async () => {
    const held = heldWrite();
    const registry = new Registry();
    const put = groupCommit(held.write, { statement: 'test', registry });
    const first = put(1);
    await turn();
    const later = [put(2), put(3), put(4)];
    await turn();
    expect(held.batches).toEqual([[1]]); // the three wait for the first to return
    await held.returnAll();
    expect(held.batches).toEqual([[1], [2, 3, 4]]);
    await expect(Promise.all([first, ...later])).resolves.toEqual([10, 20, 30, 40]);
    // An operator sees how many writes each commit carried.
    const values = (await registry.getSingleMetric(groupCommitMetricName)!.get()).values;
    const sample = (name: string) =>
      values.find((v) => (v as { metricName?: string }).metricName === name)?.value;
    expect(sample(`${groupCommitMetricName}_count`)).toBe(2);
    expect(sample(`${groupCommitMetricName}_sum`)).toBe(4);
  });

  it('writes a failed batch again item by item: only the cause is refused', async () => {
    const held = heldWrite((item) => item === 3);
    const put = groupCommit(held.write, { statement: 'test', registry: new Registry() });
    const first = put(1);
    await turn();
    const later = [put(2), put(3), put(4)].map((p) => p.catch((error: Error) => error.message));
    await held.returnAll();
    expect(held.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(later)).resolves.toEqual([20, 'item 3 refused', 40]);
  });

  it('splits at the largest batch and keeps to the statements allowed in flight', async () => {
    const held = heldWrite();
    const put = groupCommit(held.write, {
      statement: 'test',
      registry: new Registry(),
      maxBatch: 2,
      inFlight: 2,
    });
    const answers = [1, 2, 3, 4, 5, 6, 7].map((item) => put(item));
    await turn();
    expect(held.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await held.returnAll();
    expect(held.batches).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    expect(held.mostConcurrent()).toBe(2);
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
  });
});
