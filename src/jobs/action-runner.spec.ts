import { EventCode } from '../events/event-codes';
import { queuedActionJob, storedQueuedActionJob } from './action-runner';

describe('the queued action job an outbox entry holds', () => {
  const request = {
    events: { success: EventCode.ClusterRefreshed, failure: EventCode.ClusterRefreshFailed },
    eventRefs: { clusterId: 'c-1' },
    retries: 2,
  };

  it('reads back from its stored JSON as exactly what the producer enqueued', () => {
    const queued = queuedActionJob('job-1', request);
    expect(queued).toEqual({
      data: { jobId: 'job-1', events: request.events, eventRefs: { clusterId: 'c-1' } },
      attempts: 3,
    });
    expect(storedQueuedActionJob('job-1', JSON.parse(JSON.stringify(queued)))).toEqual(queued);
  });

  it('is not rebuilt from an entry that lacks what the job needs, or belongs to another job', () => {
    const stored = JSON.parse(JSON.stringify(queuedActionJob('job-1', request))) as Record<string, unknown>;
    expect(storedQueuedActionJob('job-1', { jobId: 'job-1' })).toBeUndefined();
    expect(storedQueuedActionJob('job-2', stored)).toBeUndefined();
    expect(storedQueuedActionJob('job-1', { ...stored, attempts: 0 })).toBeUndefined();
    expect(
      storedQueuedActionJob('job-1', { ...stored, data: { jobId: 'job-1', events: { success: 1 }, eventRefs: {} } }),
    ).toBeUndefined();
    expect(storedQueuedActionJob('job-1', null)).toBeUndefined();
  });
});
