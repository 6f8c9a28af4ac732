/**
 * Hot pure paths of a sync and of a read: parsing gluster's XML, shaping a discovery pass, rendering a
 * session in oVirt XML and JSON, parsing a search, reading a hostile 1 MiB XML body.
 * Run: `npm run bench` (after `npm run build`).
 * Prints operations per second and the time per operation; docs/benchmarks.md keeps the results.
 */
import { buildSnapshot, workerColumns } from '../src/discovery/discovery-snapshot';
import { GeoRepSessionDetailEntity } from '../src/sessions/georep-session-detail.entity';
import { GeoRepSessionEntity } from '../src/sessions/georep-session.entity';
import { GeoRepSessionSchema, sessionView } from '../src/sessions/session.representation';
import { parseGeoRepStatusList, parseVolumeInfo, parseVolumeStatus } from '../src/gluster';
import { parseXmlBody, render } from '../src/ovirt/representation';
import { parseSearch } from '../src/ovirt/search';
import { EVENT_SEARCH } from '../src/events/event.representation';
import { captured } from '../test/support/gluster-captures';

function bench(name: string, run: () => unknown, seconds = 2, warmUps = 200): void {
  for (let i = 0; i < warmUps; i++) run();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < end) {
    const batch = Math.min(50, warmUps);
    for (let i = 0; i < batch; i++) run();
    n += batch;
    now = process.hrtime.bigint();
  }
  const perOpUs = Number(now - start) / 1000 / n;
  process.stdout.write(
    `${name.padEnd(58)} ${Math.round(1e6 / perOpUs)
      .toString()
      .padStart(9)} ops/s ${perOpUs.toFixed(1).padStart(9)} µs/op\n`,
  );
}

const statusXml = captured('georep-status-all-xml.active-passive.xml');
const volumeInfo = captured('volume-info-xml.xml');
const volumeStatus = captured('volume-status-mastervol-detail-xml.xml');
const volumes = parseVolumeInfo(volumeInfo);
const statuses = parseVolumeStatus(volumeStatus);
const sessions = parseGeoRepStatusList(statusXml);
const snapshot = buildSnapshot(volumes, statuses, sessions);

const now = new Date();
const session = Object.assign(new GeoRepSessionEntity(), {
  id: '7f1c3c0e-6a55-4c1e-9a57-0c2f4c7f5b10',
  clusterId: '0b8e7f0c-3f43-4c43-9d3c-2a1f1b9f5e11',
  masterVolumeId: '2beba8aa-b410-4ec9-8989-8b65a79e0fc7',
  slaveHostName: '10.200.0.2',
  slaveVolumeName: 'site2vol',
  slaveVolumeUuid: null,
  slaveVolumeId: null,
  slaveClusterId: null,
  slaveHostId: null,
  userName: 'root',
  sessionKey: snapshot.sessions[0]?.sessionKey ?? 'key',
  status: 'active',
  health: 'healthy',
  lastRefreshed: now,
  lastVerified: now,
  lastVerifyResult: 'passed',
  replicationDelayMs: 1800,
});
const details = (snapshot.sessions[0]?.details ?? []).map((d, i) =>
  Object.assign(new GeoRepSessionDetailEntity(), {
    ...workerColumns(d),
    id: `00000000-0000-4000-8000-00000000000${i}`,
    sessionId: session.id,
    masterBrickId: null,
    progressAt: now,
    stalled: false,
  }),
);
const view = sessionView(session, details);

process.stdout.write(`node ${process.version}, ${process.arch}\n`);
bench('parse geo-rep status detail --xml (2 workers)', () => parseGeoRepStatusList(statusXml));
bench('parse volume info --xml (2 volumes)', () => parseVolumeInfo(volumeInfo));
bench('parse volume status detail --xml', () => parseVolumeStatus(volumeStatus));
bench('shape a discovery pass (volumes + sessions + roll-up)', () => buildSnapshot(volumes, statuses, sessions));
bench('render a session with its 2 per-brick rows, XML', () => render(GeoRepSessionSchema, view, 'xml'));
bench('render a session with its 2 per-brick rows, JSON', () => render(GeoRepSessionSchema, view, 'json'));
bench('parse an events search', () =>
  parseSearch('severity>=warning and time>2026-11-30T00:00:00Z and code=4596 sortby time desc', EVENT_SEARCH),
);
// An XML request body of 1 MiB of empty comments: the pre-scan used to search the rest of the body for '&' after each one.
const commentBody = `<action>${'<!---->'.repeat(Math.floor(((1 << 20) - 17) / 7))}</action>`;
bench('read a 1 MiB XML body of empty comments', () => parseXmlBody(commentBody, 'action'), 4, 3);
