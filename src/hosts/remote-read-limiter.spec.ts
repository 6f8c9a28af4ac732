import { OvirtFault } from '../ovirt/faults';
import { RemoteReadLimiter } from './remote-read-limiter';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RemoteReadLimiter', () => {
  it('shares a running read of the same resource instead of starting another', async () => {
    const limiter = new RemoteReadLimiter(2);
    const gate = deferred<string>();
    let reads = 0;
    const read = () => {
      reads += 1;
      return gate.promise;
    };
    const answers = [limiter.run('s1', read), limiter.run('s1', read), limiter.run('s1', read)];
    gate.resolve('checked');
    expect(await Promise.all(answers)).toEqual(['checked', 'checked', 'checked']);
    expect(reads).toBe(1);
  });

  it('refuses a read beyond the limit with 429 while the others run, and takes it once one has ended', async () => {
    const limiter = new RemoteReadLimiter(2);
    const a = deferred<string>();
    const b = deferred<string>();
    const first = limiter.run('a', () => a.promise);
    void limiter.run('b', () => b.promise);
    let refused: unknown;
    try {
      void limiter.run('c', () => Promise.resolve('c'));
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(OvirtFault);
    expect((refused as OvirtFault).status).toBe(429);
    a.resolve('a');
    await first;
    await expect(limiter.run('c', () => Promise.resolve('c'))).resolves.toBe('c');
    b.resolve('b');
  });

  it('forgets a failed read, so the next request reads again', async () => {
    const limiter = new RemoteReadLimiter(1);
    await expect(limiter.run('a', () => Promise.reject(new Error('host down')))).rejects.toThrow('host down');
    await expect(limiter.run('a', () => Promise.resolve('up'))).resolves.toBe('up');
  });
});
