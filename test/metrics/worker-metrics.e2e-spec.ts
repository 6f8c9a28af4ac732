import * as crypto from 'node:crypto';
import { findFreePort } from '../../src/embedded/free-port';
import {
  call,
  newDeployment,
  RunningApi,
  startApi,
  startWorker,
  stopService,
  until,
} from '../resilience/resilience-support';
import { ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
import { parseExposition, valueOf } from './exposition';

/**
 * Issue 19: a `worker` process serves no API, so its own figures (the jobs it ran, its SSH pool) are scraped
 * on GEOREP_METRICS_PORT, to the metrics token only. An `api` process takes an action; the job runs in the
 * worker, and its duration shows on the worker's port, not on the api's /metrics.
 */
describe("the worker's metrics port", () => {
  const token = crypto.randomBytes(24).toString('hex');
  let api: RunningApi | undefined;
  let worker: ServiceProcess | undefined;
  let metricsUrl: string;

  beforeAll(async () => {
    const db = await createTestDatabase();
    const deployment = newDeployment(db.url, testServices().redisUrl);
    const port = await findFreePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    api = await startApi(deployment, 'api', { GEOREP_METRICS_TOKEN: token });
    worker = await startWorker(deployment, { GEOREP_METRICS_TOKEN: token, GEOREP_METRICS_PORT: String(port) });
  });
  afterAll(async () => {
    await stopService(api?.proc);
    await stopService(worker);
  });

  const scrape = (url: string, headers: Record<string, string> = { Authorization: `Bearer ${token}` }) =>
    fetch(url, { headers });

  it('serves GET /metrics to the token only, and nothing else', async () => {
    const anonymous = await scrape(metricsUrl, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await scrape(metricsUrl, { Authorization: `Bearer ${token}x` })).status).toBe(401);
    const basic = `Basic ${Buffer.from('admin@internal:whatever').toString('base64')}`;
    expect((await scrape(metricsUrl, { Authorization: basic })).status).toBe(401);
    expect((await scrape(metricsUrl.replace('/metrics', '/ovirt-engine/api'))).status).toBe(404);
    const post = await fetch(metricsUrl, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const text = await (await scrape(metricsUrl)).text();
    expect(text).not.toContain(token);
  });

  it("shows the jobs the worker ran, which the api's /metrics does not", async () => {
    const added = await call(api!.base, 'POST', '/clusters', { body: { name: 'worker-metrics' } });
    expect(added.status).toBe(201);
    const refresh = await call(api!.base, 'POST', `/clusters/${String(added.body.id)}/refresh`, {
      body: { async: false },
    });
    expect(refresh.status).toBe(200);
    const job = { type: 'cluster.refresh', outcome: 'finished' };
    const count = 'georep_job_duration_seconds_count';
    const seen = await until('the job on the worker port', async () => {
      const res = await scrape(metricsUrl);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const value = valueOf(parseExposition(await res.text()), count, job);
      return value === 1 ? value : undefined;
    });
    expect(seen).toBe(1);
    const onApi = await scrape(`${api!.base}/metrics`);
    expect(onApi.status).toBe(200);
    expect(valueOf(parseExposition(await onApi.text()), count, job)).toBeUndefined();
  });
});
