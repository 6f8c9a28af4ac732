import { ConcurrencyLimit, ConcurrencyLimitFull } from './concurrency-limit';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ConcurrencyLimit', () => {
  it('runs at most maxRunning tasks at once, queues maxQueued in order and refuses the rest at once', async () => {
    const limit = new ConcurrencyLimit(2, 2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await expect(runs[4]).rejects.toBeInstanceOf(ConcurrencyLimitFull);
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    await expect(runs[1]).resolves.toBe(1);
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3].resolve();
    await expect(Promise.all(runs.slice(0, 4))).resolves.toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
