import * as fs from 'fs';
import * as path from 'path';
import { checkpointProgress, CheckpointRow, parseGeoRepStatus } from '../gluster';
import {
  checkpointCompletedAt,
  checkpointRowsOf,
  dataAgeSeconds,
  decidePoll,
  planSession,
  progressPercent,
  progressSignature,
  rpoSeconds,
} from './run-logic';

const EPOCH = 1_790_000_000; // the checkpoint gluster read back
const at = (s: number) => new Date(s * 1000);
const row = (brick: string, over: Partial<CheckpointRow>): CheckpointRow => ({
  masterNodeUuid: null,
  masterBrick: brick,
  status: 'active',
  checkpointTime: at(EPOCH),
  checkpointCompleted: false,
  checkpointCompletionTime: null,
  ...over,
});

describe('planSession', () => {
  it('starts a stopped or created session and stops it after; resumes a paused one and pauses it after', () => {
    expect(planSession('stopped')).toEqual({ before: 'start', after: 'stop' });
    expect(planSession('created')).toEqual({ before: 'start', after: 'stop' });
    expect(planSession('paused')).toEqual({ before: 'resume', after: 'pause' });
    expect(planSession('active')).toEqual({ before: 'none', after: 'none' });
    expect(planSession('faulty')).toEqual({ before: 'none', after: 'none' });
  });
});

describe('decidePoll', () => {
  const base = { cancelRequested: false, elapsedMs: 1000, timeoutMs: 60_000 };
  it('waits while an active worker has not completed THIS checkpoint (an older Yes does not count)', () => {
    const rows = [
      row('/b1', {
        checkpointCompleted: true,
        checkpointTime: at(EPOCH - 3600),
        checkpointCompletionTime: at(EPOCH - 3000),
      }),
      row('/b2', { status: 'passive' }),
    ];
    const progress = checkpointProgress(EPOCH, rows);
    expect(decidePoll({ ...base, progress })).toEqual({ kind: 'wait' });
    expect(progressPercent(progress)).toBe(0);
  });

  it('completes when every active worker completed it', () => {
    const rows = [
      row('/b1', { checkpointCompleted: true, checkpointCompletionTime: at(EPOCH + 40) }),
      row('/b2', { status: 'passive', checkpointCompleted: null }),
    ];
    const progress = checkpointProgress(EPOCH, rows);
    expect(decidePoll({ ...base, progress })).toEqual({ kind: 'complete' });
    expect(progressPercent(progress)).toBe(100);
    expect(checkpointCompletedAt(rows)).toEqual(at(EPOCH + 40));
  });

  it('fails on a faulty worker, times out, and lets a cancel win', () => {
    const faulty = checkpointProgress(EPOCH, [row('/b1', {}), row('/b2', { status: 'faulty' })]);
    expect(decidePoll({ ...base, progress: faulty })).toMatchObject({
      kind: 'faulty',
      detail: expect.stringContaining('/b2'),
    });
    const pending = checkpointProgress(EPOCH, [row('/b1', {})]);
    expect(decidePoll({ ...base, progress: pending, elapsedMs: 60_000 })).toMatchObject({
      kind: 'timeout',
      detail: expect.stringContaining('0 of 1'),
    });
    expect(decidePoll({ ...base, progress: pending, elapsedMs: 10 ** 9, timeoutMs: 0 })).toEqual({ kind: 'wait' });
    expect(decidePoll({ ...base, progress: faulty, cancelRequested: true })).toEqual({ kind: 'cancelled' });
  });
});

describe('rpo and data age', () => {
  it('counts whole seconds from the checkpoint', () => {
    expect(rpoSeconds(EPOCH, at(EPOCH + 75))).toBe(75);
    expect(rpoSeconds(EPOCH, at(EPOCH - 5))).toBe(0);
    expect(dataAgeSeconds(at(EPOCH), at(EPOCH + 3600))).toBe(3600);
    expect(dataAgeSeconds(null, at(EPOCH))).toBeNull();
  });
});

describe('checkpointRowsOf and progressSignature on real captures', () => {
  const bricksOf = (name: string) =>
    parseGeoRepStatus({
      stdout: fs.readFileSync(path.join(__dirname, '../../test/fixtures/gluster-10.3', name), 'utf8'),
      exitCode: 0,
    })[0].bricks;

  it('reads a completed checkpoint as complete, a pending one as not', () => {
    const done = bricksOf('georep-status-detail-xml.checkpoint-completed.xml');
    const epoch = done[0].checkpointTime!.getTime() / 1000;
    expect(checkpointProgress(epoch, checkpointRowsOf(done)).complete).toBe(true);
    const pending = bricksOf('georep-status-detail-xml.checkpoint-pending.xml');
    expect(checkpointProgress(epoch, checkpointRowsOf(pending)).complete).toBe(false);
  });

  it('changes when an active worker moves, not otherwise', () => {
    const rows = bricksOf('georep-status-detail-xml.checkpoint-pending.xml');
    expect(progressSignature(rows)).toBe(progressSignature(rows.map((r) => ({ ...r }))));
    const moved = rows.map((r, i) => (i === 0 ? { ...r, lastSynced: new Date(r.lastSynced!.getTime() + 1000) } : r));
    expect(progressSignature(moved)).not.toBe(progressSignature(rows));
  });
});
