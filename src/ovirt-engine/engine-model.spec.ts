import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createSnapshotBody,
  engineBaseUrl,
  EngineProtocolError,
  faultText,
  overlayFiles,
  parseDisk,
  parseDiskAttachmentDiskIds,
  parseDisks,
  parseSnapshot,
  parseSnapshots,
  parseSsoToken,
  parseStorageDomain,
  parseVms,
  quiesceSnapshotDescription,
  ssoError,
  ssoTokenRequestBody,
  vmsUpOnStorageDomainSearch,
} from './engine-model';

const fixture = (name: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../test/fixtures/ovirt-engine', name), 'utf8'));

const SD = '5e3f4b2a-1c7d-4e8f-9a0b-6c2d3e4f5a6b';
const WEB01 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const DISK = '2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f';
const SNAPSHOT = '6a7b8c9d-0e1f-4a2b-8c3d-5e6f7a8b9c0d';
const RUN = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

describe('oVirt engine model', () => {
  it('takes the engine itself over https, and nothing else', () => {
    expect(engineBaseUrl('https://engine.example.com')).toBe('https://engine.example.com');
    expect(engineBaseUrl('https://engine.example.com:8443/ovirt-engine/api/')).toBe('https://engine.example.com:8443');
    expect(engineBaseUrl('https://10.0.0.5/ovirt-engine')).toBe('https://10.0.0.5');
    for (const bad of [
      'http://engine.example.com',
      'https://admin:pw@engine.example.com',
      'https://engine.example.com/other',
      'https://engine.example.com/?x=1',
      'engine.example.com',
      'file:///etc/passwd',
    ])
      expect(() => engineBaseUrl(bad)).toThrow(EngineProtocolError);
  });

  it('logs in with the password grant and reads the token, or the reason of a refusal', () => {
    expect(new URLSearchParams(ssoTokenRequestBody('admin@internal', 'p&s=w rd'))).toEqual(
      new URLSearchParams({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: 'admin@internal',
        password: 'p&s=w rd',
      }),
    );
    const token = parseSsoToken(fixture('sso-token.json'));
    expect(token.accessToken).toMatch(/^Gh3k/);
    expect(ssoError(fixture('sso-denied.json'))).toBe(
      "access_denied: Cannot authenticate user 'admin@internal': The username or password is incorrect..",
    );
    expect(() => parseSsoToken(fixture('sso-denied.json'))).toThrow(/refused the login: access_denied/);
  });

  it('reads the storage domain, and searches the VMs that are up on it by name', () => {
    expect(parseStorageDomain(fixture('storagedomain.json'))).toEqual({ id: SD, name: 'gv-data' });
    expect(vmsUpOnStorageDomainSearch('gv-data')).toBe('status=up and storage.name=gv-data');
    expect(() => vmsUpOnStorageDomainSearch('gv data or status=down')).toThrow(EngineProtocolError);
    expect(() => parseStorageDomain({ id: SD, name: 'x or name=*' })).toThrow(/not one oVirt allows/);
    expect(parseVms(fixture('vms-search.json'))).toEqual([
      { id: WEB01, name: 'web01', status: 'up' },
      { id: '1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e', name: 'db01', status: 'up' },
    ]);
    expect(parseVms(fixture('vms-empty.json'))).toEqual([]);
  });

  it("reads a VM's disks and a snapshot's disks with their volumes and domains", () => {
    expect(parseDiskAttachmentDiskIds(fixture('diskattachments.json'))).toEqual([DISK]);
    expect(parseDisk(fixture('disk-after-snapshot.json'))).toEqual({
      id: DISK,
      imageId: '4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b',
      storageDomainIds: [SD],
    });
    expect(parseDisks(fixture('snapshot-disks.json'))).toEqual([
      { id: DISK, imageId: '3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a', storageDomainIds: [SD] },
    ]);
  });

  it('reads snapshots and their status; the request asks for no memory and names the run', () => {
    expect(parseSnapshot(fixture('snapshot-locked.json'))).toEqual({
      id: SNAPSHOT,
      description: quiesceSnapshotDescription(RUN),
      status: 'locked',
    });
    expect(parseSnapshot(fixture('snapshot-ok.json')).status).toBe('ok');
    expect(parseSnapshots(fixture('snapshots.json')).map((s) => s.description)).toEqual([
      'Active VM',
      quiesceSnapshotDescription(RUN),
    ]);
    expect(JSON.parse(createSnapshotBody('d'))).toEqual({ description: 'd', persist_memorystate: false });
    expect(faultText(fixture('fault-snapshot.json'))).toBe(
      'Operation Failed: [Cannot create Snapshot. VM web01 is being migrated.]',
    );
  });

  it('refuses ids that are not oVirt ids, so none reaches a path or a URL', () => {
    expect(() => parseVms({ vm: [{ id: '../../etc', name: 'x', status: 'up' }] })).toThrow(/no valid id/);
    expect(() => parseDisk({ id: DISK, image_id: 'a/../b' })).toThrow(/image_id/);
    expect(() => parseVms({ vm: 'x' })).toThrow(/not an array/);
    expect(() => parseSnapshot('<html>')).toThrow(/not a JSON object/);
  });

  it('names the three files of an overlay volume as VDSM lays them out', () => {
    const image = '4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b';
    expect(overlayFiles(SD, { diskId: DISK, imageId: image })).toEqual([
      `${SD}/images/${DISK}/${image}`,
      `${SD}/images/${DISK}/${image}.meta`,
      `${SD}/images/${DISK}/${image}.lease`,
    ]);
    expect(() => overlayFiles(SD, { diskId: DISK, imageId: '*' })).toThrow(EngineProtocolError);
  });
});
