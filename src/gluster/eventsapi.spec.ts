import * as fs from 'fs';
import * as path from 'path';
import {
  eventRefreshesCluster,
  eventsApiWebhookAddCommand,
  eventsApiWebhookDelCommand,
  eventsApiWebhookTestCommand,
  failedNodes,
  geoRepEventTarget,
  GlusterArgumentError,
  glustereventsdReloadCommand,
  parseEventsApiJson,
  parseEventsdReload,
  parseGlusterEvent,
  validateWebhookUrl,
} from '.';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-eventsapi');
const capture = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');
const TOKEN = 'A'.repeat(43);

describe('gluster-eventsapi commands', () => {
  it('quotes every word and keeps the token as one argument', () => {
    const add = eventsApiWebhookAddCommand('http://10.0.0.5:8080/ovirt-engine/services/glusterevents', TOKEN);
    expect(add.argv).toEqual([
      'gluster-eventsapi',
      'webhook-add',
      'http://10.0.0.5:8080/ovirt-engine/services/glusterevents',
      '--bearer_token',
      TOKEN,
      '--json',
    ]);
    expect(add.command).toBe(
      `'gluster-eventsapi' 'webhook-add' 'http://10.0.0.5:8080/ovirt-engine/services/glusterevents' '--bearer_token' '${TOKEN}' '--json'`,
    );
    expect(eventsApiWebhookDelCommand('https://georep.example/x').argv).toEqual([
      'gluster-eventsapi',
      'webhook-del',
      'https://georep.example/x',
      '--json',
    ]);
  });

  it.each([
    ['ftp://host/x', 'http or https'],
    ['not a url', 'absolute'],
    ["http://host/x';reboot;'", 'quotes'],
    ['http://host/a b', 'spaces'],
    ['http://user:pw@host/x', 'credentials'],
    ['http://host/é', 'non-ASCII'],
    [`http://host/${'x'.repeat(2000)}`, 'at most 2000'],
  ])('refuses the URL %j before any command exists', (url, why) => {
    expect(() => eventsApiWebhookTestCommand(url, TOKEN)).toThrow(GlusterArgumentError);
    expect(() => validateWebhookUrl(url)).toThrow(why);
  });

  it('refuses a token that is not url-safe base64 of a useful length', () => {
    expect(() => eventsApiWebhookAddCommand('http://h/x', 'short')).toThrow('token: must be 32 to 128');
    expect(() => eventsApiWebhookAddCommand('http://h/x', `${'A'.repeat(40)} --secret x`)).toThrow(
      GlusterArgumentError,
    );
  });

  it('reloads glustereventsd through systemd, or by SIGUSR2 to the oldest process only', () => {
    const reload = glustereventsdReloadCommand();
    expect(reload.argv[0]).toBe('sh');
    expect(reload.argv[2]).toContain('systemctl reload glustereventsd');
    expect(reload.argv[2]).toContain('pkill -USR2 -o -f');
    expect(parseEventsdReload('reloaded\n')).toBe('reloaded');
    expect(parseEventsdReload('not-running\n')).toBe('not-running');
    expect(() => parseEventsdReload('sh: 1: pkill: not found\n')).toThrow('unexpected output');
  });
});

describe('gluster-eventsapi --json answers (captured)', () => {
  it('reads a webhook-add that every node synced', () => {
    const added = parseEventsApiJson(capture('webhook-add.json'));
    expect(added).toEqual({ nodes: [{ node: 'localhost', ok: true, error: '' }], error: '' });
    expect(failedNodes(added)).toBe('');
  });

  it("reads gluster's refusals in its own words", () => {
    expect(parseEventsApiJson(capture('webhook-add-exists.json'))).toEqual({
      nodes: [],
      error: 'Webhook already exists',
    });
    expect(parseEventsApiJson(capture('webhook-del-missing.json')).error).toBe('Webhook does not exists');
    expect(capture('webhook-add-exists.json.rc').trim()).toBe('5');
  });

  it('names the nodes that cannot reach the URL, with why', () => {
    expect(parseEventsApiJson(capture('webhook-test-ok.json')).nodes).toEqual([
      { node: 'localhost', ok: true, error: '' },
    ]);
    const refused = parseEventsApiJson(capture('webhook-test-refused.json'));
    expect(refused.nodes[0]).toMatchObject({ node: 'localhost', ok: false });
    expect(failedNodes(refused)).toMatch(/^localhost: HTTPConnectionPool.*Connection refused/);
  });

  it('says when the answer is not JSON', () => {
    expect(() => parseEventsApiJson('Traceback (most recent call last):\n')).toThrow('did not answer JSON');
  });
});

describe('posted events (captured)', () => {
  it("reads gsyncd's checkpoint event and the session it names", () => {
    const event = parseGlusterEvent(capture('event-georep-checkpoint-completed.json'));
    expect(event).toMatchObject({
      nodeId: '038c90da-e964-44e8-ac30-d50fa66c8ffc',
      ts: 1796316542,
      event: 'GEOREP_CHECKPOINT_COMPLETED',
    });
    expect(event?.message.checkpoint_time).toBe('1796316537');
    expect(geoRepEventTarget(event!)).toEqual({
      masterVolume: 'mastervol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
    });
    expect(eventRefreshesCluster(event!)).toBe(true);
  });

  it("reads the CLI's session events (primary, secondary = host::volume)", () => {
    const start = parseGlusterEvent(capture('event-georep-start.json'))!;
    expect(start.event).toBe('GEOREP_START');
    expect(geoRepEventTarget(start)).toEqual({
      masterVolume: 'mastervol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
    });
    const active = parseGlusterEvent(capture('event-georep-active.json'))!;
    expect(geoRepEventTarget(active)?.slaveVolume).toBe('site2vol');
  });

  it('takes the user off a non-root slave URL', () => {
    const event = parseGlusterEvent(
      JSON.stringify({
        nodeid: '038c90da-e964-44e8-ac30-d50fa66c8ffc',
        ts: 1,
        event: 'GEOREP_STOP',
        message: { primary: 'mastervol', secondary: 'georep@10.200.0.2::site2vol' },
      }),
    )!;
    expect(geoRepEventTarget(event)).toEqual({
      masterVolume: 'mastervol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
    });
  });

  it('refreshes on volume events but not on the CLIENT_* events of every mount', () => {
    const volumeSet = parseGlusterEvent(capture('event-volume-set.json'))!;
    expect(geoRepEventTarget(volumeSet)).toBeNull();
    expect(eventRefreshesCluster(volumeSet)).toBe(true);
    const connect = parseGlusterEvent(capture('event-client-connect.json'))!;
    expect(connect.event).toBe('CLIENT_CONNECT');
    expect(eventRefreshesCluster(connect)).toBe(false);
  });

  it('takes the empty post of webhook-test as no event', () => {
    expect(parseGlusterEvent('')).toBeNull();
    expect(parseGlusterEvent('  \n')).toBeNull();
  });

  it.each([
    ['{', 'not JSON'],
    ['[]', 'not a JSON object'],
    ['{"nodeid":"038c90da-e964-44e8-ac30-d50fa66c8ffc","ts":1,"event":"rm -rf"}', 'event:'],
    ['{"nodeid":"x","ts":1,"event":"VOLUME_SET"}', 'nodeid:'],
    ['{"nodeid":"038c90da-e964-44e8-ac30-d50fa66c8ffc","ts":-1,"event":"VOLUME_SET"}', 'ts:'],
    ['{"nodeid":"038c90da-e964-44e8-ac30-d50fa66c8ffc","ts":1,"event":"VOLUME_SET","message":[1]}', 'message:'],
  ])('refuses %j, naming what is wrong', (body, why) => {
    expect(() => parseGlusterEvent(body)).toThrow(why);
  });
});
