import * as fs from 'fs';
import * as path from 'path';
import { parseGeoRepStatus } from '../gluster';
import {
  dataLossWindowSeconds,
  failedOverRefusal,
  recoveryPoint,
  runsAgainAfterFailover,
  syncFailures,
} from './failover-logic';
import { SESSION_STATUSES } from './session.representation';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
const rowsOf = (name: string) =>
  parseGeoRepStatus({ stdout: fs.readFileSync(path.join(DIR, name), 'utf8'), exitCode: 0 })[0].bricks;

describe('recoveryPoint on real captures', () => {
  it('is the oldest last_synced when it is later than the completed checkpoint', () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-completed.xml');
    expect(rows.every((r) => r.checkpointCompleted === true)).toBe(true);
    const oldestSynced = Math.min(...rows.map((r) => r.lastSynced!.getTime()));
    expect(oldestSynced).toBeGreaterThan(rows[0].checkpointTime!.getTime());
    expect(recoveryPoint(rows, null)?.getTime()).toBe(oldestSynced);
  });

  it('is the completed checkpoint when a worker synced nothing since', () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-completed.xml').map((r, i) =>
      i === 0 ? { ...r, lastSynced: new Date(r.checkpointTime!.getTime() - 60_000) } : r,
    );
    expect(recoveryPoint(rows, null)).toEqual(rows[0].checkpointTime);
  });

  it('ignores a checkpoint not every active worker completed, and takes the oldest last_synced', () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-pending.xml');
    expect(rows.some((r) => r.checkpointCompleted !== true)).toBe(true);
    const oldestSynced = Math.min(...rows.map((r) => r.lastSynced!.getTime()));
    expect(recoveryPoint(rows, null)?.getTime()).toBe(oldestSynced);
    expect(recoveryPoint(rows, null)!.getTime()).toBeLessThan(rows[0].checkpointTime!.getTime());
  });

  it("takes a DR run's completed checkpoint when it is the latest known point", () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-pending.xml');
    const drCheckpoint = new Date(rows[0].checkpointTime!.getTime() + 3_600_000);
    expect(recoveryPoint(rows, drCheckpoint)).toEqual(drCheckpoint);
  });

  it('knows nothing of a session with no active worker and no DR checkpoint', () => {
    expect(recoveryPoint(rowsOf('georep-status-detail-xml.faulty.xml'), null)).toBeNull();
    expect(recoveryPoint(rowsOf('georep-status-detail-xml.created.xml'), null)).toBeNull();
  });

  it('does not trust last_synced when an active worker has none', () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-pending.xml').map((r, i) =>
      i === 1 ? { ...r, lastSynced: null } : r,
    );
    expect(recoveryPoint(rows, null)).toBeNull();
  });
});

describe('dataLossWindowSeconds', () => {
  it('counts whole seconds up to the failover, rounding up', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(dataLossWindowSeconds(new Date('2026-12-03T09:58:29.500Z'), at)).toBe(91);
  });
  it('is 0, never negative, when the slave clock was ahead', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(dataLossWindowSeconds(new Date('2026-12-03T10:00:05.000Z'), at)).toBe(0);
  });
  it('is unknown without a recovery point', () => {
    expect(dataLossWindowSeconds(null, new Date())).toBeNull();
  });
});

describe('failedOverRefusal', () => {
  it('names the failover time and what to do', () => {
    const text = failedOverRefusal({ failedOver: true, failoverTime: new Date('2026-12-03T10:00:00Z') }, 'starting it');
    expect(text).toContain('2026-12-03T10:00:00.000Z');
    expect(text).toContain('starting it would overwrite');
  });
  it('is null for a session that was not failed over', () => {
    expect(failedOverRefusal({ failedOver: false, failoverTime: null }, 'starting it')).toBeNull();
  });
});

describe('runsAgainAfterFailover', () => {
  it('is true exactly for a failed-over session whose workers gluster runs', () => {
    const running = SESSION_STATUSES.filter((status) => runsAgainAfterFailover({ failedOver: true, status }));
    expect(running).toEqual(['initializing', 'active', 'passive', 'partial_faulty', 'faulty']);
    expect(SESSION_STATUSES.filter((status) => runsAgainAfterFailover({ failedOver: false, status }))).toEqual([]);
  });
});

describe('syncFailures on real captures', () => {
  it('counts the entry the reverse session of a failback could not sync, and names its brick', () => {
    expect(syncFailures(rowsOf('georep-status-detail-xml.entry-failure.xml'))).toEqual({
      count: 1,
      bricks: ['vm:/srv/gluster-lab/bricks/slave1 (1)'],
    });
  });

  it('is none for workers that counted nothing, and for N/A (passive and stopped workers)', () => {
    const rows = rowsOf('georep-status-detail-xml.active-passive.xml');
    expect(rows.map((r) => r.failures)).toEqual(expect.arrayContaining([0, null]));
    expect(syncFailures(rows)).toEqual({ count: 0, bricks: [] });
    expect(syncFailures(rowsOf('georep-status-detail-xml.stopped.xml'))).toEqual({ count: 0, bricks: [] });
  });

  it('adds up the bricks that counted failures', () => {
    const [a, b] = rowsOf('georep-status-detail-xml.active.xml');
    expect(
      syncFailures([
        { ...a, failures: 2 },
        { ...b, failures: 3 },
      ]),
    ).toEqual({
      count: 5,
      bricks: [`${a.masterNode}:${a.masterBrick} (2)`, `${b.masterNode}:${b.masterBrick} (3)`],
    });
  });
});
