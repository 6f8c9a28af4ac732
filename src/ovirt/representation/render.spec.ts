import { RenderError } from './errors';
import { render, renderAction, renderCollection, renderFault, renderJson, renderXml, XML_DECLARATION } from './render';
import { HostSchema, hostView, StartAction } from './sample.fixture';
import { actionSchema, long, resource, str, ViewOf } from './schema';

const HOST_XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<host id="123" href="/ovirt-engine/api/hosts/123">
    <actions>
        <link rel="refresh" href="/ovirt-engine/api/hosts/123/refresh"/>
        <link rel="start" href="/ovirt-engine/api/hosts/123/start"/>
    </actions>
    <name>gluster1</name>
    <description>first &amp; &lt;best&gt; "one"</description>
    <address>192.0.2.10</address>
    <cluster id="456" href="/ovirt-engine/api/clusters/456"/>
    <status>up</status>
    <ssh>
        <port>22</port>
        <user>root</user>
        <fingerprint>SHA256:abc</fingerprint>
    </ssh>
    <options>
        <option>
            <name>a</name>
            <value>1</value>
        </option>
        <option>
            <name>b</name>
            <value>x&lt;y</value>
        </option>
    </options>
    <gluster_service>true</gluster_service>
    <created>2026-11-22T04:30:00.123+00:00</created>
    <size>1099511627776</size>
    <link rel="bricks" href="/ovirt-engine/api/hosts/123/bricks"/>
    <link rel="statistics" href="/ovirt-engine/api/hosts/123/statistics"/>
</host>
`;

const HOST_JSON = `{
  "id": "123",
  "href": "/ovirt-engine/api/hosts/123",
  "actions": {
    "link": [
      {
        "rel": "refresh",
        "href": "/ovirt-engine/api/hosts/123/refresh"
      },
      {
        "rel": "start",
        "href": "/ovirt-engine/api/hosts/123/start"
      }
    ]
  },
  "name": "gluster1",
  "description": "first & <best> \\"one\\"",
  "address": "192.0.2.10",
  "cluster": {
    "id": "456",
    "href": "/ovirt-engine/api/clusters/456"
  },
  "status": "up",
  "ssh": {
    "port": 22,
    "user": "root",
    "fingerprint": "SHA256:abc"
  },
  "options": {
    "option": [
      {
        "name": "a",
        "value": "1"
      },
      {
        "name": "b",
        "value": "x<y"
      }
    ]
  },
  "gluster_service": true,
  "created": 1795321800123,
  "size": 1099511627776,
  "link": [
    {
      "rel": "bricks",
      "href": "/ovirt-engine/api/hosts/123/bricks"
    },
    {
      "rel": "statistics",
      "href": "/ovirt-engine/api/hosts/123/statistics"
    }
  ]
}
`;

describe('render a resource', () => {
  it('writes oVirt XML: id/href attributes, actions first, links last, references, lists, dates with offset', () => {
    expect(renderXml(HostSchema, hostView)).toBe(HOST_XML);
  });

  it('writes typed JSON: native numbers and booleans, epoch-ms dates, actions as {link: [...]}', () => {
    expect(renderJson(HostSchema, hostView)).toBe(HOST_JSON);
  });

  it('is the same layout as JSON.stringify(…, null, 2)', () => {
    expect(JSON.stringify(JSON.parse(HOST_JSON), null, 2) + '\n').toBe(HOST_JSON);
  });

  it('writes compact output on request', () => {
    const view: ViewOf<typeof HostSchema> = {
      id: '1',
      name: 'n',
      address: 'a',
      cluster: { id: '2' },
      status: 'down',
      ssh: { port: 2222, user: 'u' },
      created: 0,
    };
    expect(render(HostSchema, view, 'xml', { pretty: false })).toBe(
      `${XML_DECLARATION}<host id="1"><name>n</name><address>a</address><cluster id="2"/><status>down</status>` +
        '<ssh><port>2222</port><user>u</user></ssh><created>1970-01-01T00:00:00.000+00:00</created></host>',
    );
    expect(render(HostSchema, view, 'json', { pretty: false })).toBe(
      '{"id":"1","name":"n","address":"a","cluster":{"id":"2"},"status":"down","ssh":{"port":2222,"user":"u"},"created":0}',
    );
  });

  it('never renders writeOnly fields nor properties the schema does not know', () => {
    const entity = { ...hostView, root_password: 'hunter2', passwordHash: 'x', secretKey: 'y' };
    for (const format of ['xml', 'json'] as const) {
      const out = render(HostSchema, entity, format);
      expect(out).not.toMatch(/hunter2|passwordHash|secretKey|root_password/);
    }
  });

  it('prints dates with the offset of the configured time zone', () => {
    const at = (created: string, timeZone: string): string | undefined =>
      /<created>(.*)<\/created>/.exec(renderXml(HostSchema, { ...hostView, created }, { timeZone }))?.[1];
    expect(at('2026-11-22T04:30:00.123Z', 'Europe/Berlin')).toBe('2026-11-22T05:30:00.123+01:00');
    expect(at('2026-07-01T04:30:00.000Z', 'Europe/Berlin')).toBe('2026-07-01T06:30:00.000+02:00');
    expect(at('2026-11-22T04:30:00.000Z', 'America/New_York')).toBe('2026-11-21T23:30:00.000-05:00');
    expect(at('2026-11-22T04:30:00.000Z', 'Asia/Kolkata')).toBe('2026-11-22T10:00:00.000+05:30');
    expect(at('2026-11-22T05:30:00.000+01:00', 'UTC')).toBe('2026-11-22T04:30:00.000+00:00');
    // JSON is epoch ms whatever the zone.
    expect(renderJson(HostSchema, hostView, { timeZone: 'Asia/Kolkata' })).toContain('"created": 1795321800123');
  });

  it('shows only the actions the view allows, in schema order, and links the view gives', () => {
    const out = renderXml(HostSchema, {
      ...hostView,
      actions: ['start'],
      link: [{ rel: 'session', href: '/ovirt-engine/api/x/1' }],
    });
    expect(out).toContain(
      '<actions>\n        <link rel="start" href="/ovirt-engine/api/hosts/123/start"/>\n    </actions>',
    );
    expect(out).not.toContain('refresh');
    expect(out).toContain('<link rel="session" href="/ovirt-engine/api/x/1"/>\n</host>');
    expect(out).not.toContain('rel="bricks"');
  });

  it('leaves out actions and links without an href, and empty action lists', () => {
    const { href: _href, ...noHref } = hostView;
    expect(renderXml(HostSchema, noHref)).not.toMatch(/<actions>|<link /);
    expect(renderXml(HostSchema, { ...hostView, actions: [] })).not.toContain('<actions>');
  });

  it('renders empty lists and empty objects', () => {
    const xml = renderXml(HostSchema, { ...hostView, options: [] });
    expect(xml).toContain('    <options/>\n');
    expect(renderJson(HostSchema, { ...hostView, options: [] }, { pretty: false })).toContain(
      '"options":{"option":[]}',
    );
  });

  it('escapes text and attributes, and replaces characters XML cannot carry', () => {
    const out = renderXml(HostSchema, {
      ...hostView,
      id: 'a"b<c>&\n',
      description: 'bell\u0007 cr\r lone\ud800 ok\u{1F600}',
    });
    expect(out).toContain('<host id="a&quot;b&lt;c&gt;&amp;&#10;" href=');
    expect(out).toContain('<description>bell\ufffd cr&#13; lone\ufffd ok\u{1F600}</description>');
    const json = renderJson(HostSchema, { ...hostView, description: 'bell\u0007 "q" \\' }, { pretty: false });
    expect(JSON.parse(json).description).toBe('bell\u0007 "q" \\');
  });

  it('keeps longs beyond 2^53 exact in JSON', () => {
    const out = renderJson(HostSchema, { ...hostView, size: '9223372036854775807' }, { pretty: false });
    expect(out).toContain('"size":9223372036854775807');
    expect(renderXml(HostSchema, { ...hostView, size: 2n ** 63n - 1n })).toContain('<size>9223372036854775807</size>');
    expect(renderJson(HostSchema, { ...hostView, size: -(2n ** 63n) }, { pretty: false })).toContain(
      '"size":-9223372036854775808',
    );
    expect(renderJson(HostSchema, { ...hostView, size: '0042' }, { pretty: false })).toContain('"size":42');
  });

  it('throws RenderError when a view does not fit the schema', () => {
    const bad =
      (patch: Record<string, unknown>): (() => string) =>
      () =>
        renderXml(HostSchema, { ...hostView, ...patch } as ViewOf<typeof HostSchema>);
    expect(bad({ status: 'sideways' })).toThrow(RenderError);
    expect(bad({ ssh: { port: '22', user: 'root' } })).toThrow('host.ssh.port: expected an integer');
    expect(bad({ created: new Date('nope') })).toThrow('host.created: expected a valid date');
    expect(bad({ cluster: { href: '/x' } })).toThrow(RenderError);
    expect(bad({ options: [null] })).toThrow('host.options[0]: missing item');
    expect(bad({ size: '1e3' })).toThrow(RenderError);
    expect(bad({ size: '99999999999999999999' })).toThrow(RenderError);
    expect(bad({ actions: ['explode'] })).toThrow(RenderError);
    expect(bad({ link: [{ rel: 'x' }] })).toThrow(RenderError);
  });

  it('accepts enum values in any case and prints them lower case', () => {
    const view = { ...hostView, status: 'NON_RESPONSIVE' } as unknown as ViewOf<typeof HostSchema>;
    expect(renderXml(HostSchema, view)).toContain('<status>non_responsive</status>');
  });
});

describe('render a collection', () => {
  it('writes an empty collection', () => {
    expect(renderCollection(HostSchema, [], 'xml')).toBe(`${XML_DECLARATION}\n<hosts/>\n`);
    expect(renderCollection(HostSchema, [], 'json')).toBe('{\n  "host": []\n}\n');
  });

  it('writes the items under the plural (XML) or the singular key (JSON)', () => {
    const Item = resource('gluster_volume', 'gluster_volumes', { name: str() });
    const views = [
      { id: '1', href: '/v/1', name: 'a' },
      { id: '2', href: '/v/2', name: 'b' },
    ];
    expect(renderCollection(Item, views, 'xml')).toBe(
      `${XML_DECLARATION}
<gluster_volumes>
    <gluster_volume id="1" href="/v/1">
        <name>a</name>
    </gluster_volume>
    <gluster_volume id="2" href="/v/2">
        <name>b</name>
    </gluster_volume>
</gluster_volumes>
`,
    );
    expect(renderCollection(Item, views, 'json', { pretty: false })).toBe(
      '{"gluster_volume":[{"id":"1","href":"/v/1","name":"a"},{"id":"2","href":"/v/2","name":"b"}]}',
    );
  });

  it('names the failing item in a RenderError', () => {
    const Item = resource('thing', 'things', { size: long() });
    expect(() => renderCollection(Item, [{ size: 1 }, { size: 1.5 }], 'json')).toThrow('things[1].size');
  });
});

describe('render faults and actions', () => {
  it('writes a fault', () => {
    const fault = { reason: 'Operation Failed', detail: '[Cannot start: session is "active" & <busy>]' };
    expect(renderFault(fault, 'xml')).toBe(`${XML_DECLARATION}
<fault>
    <reason>Operation Failed</reason>
    <detail>[Cannot start: session is "active" &amp; &lt;busy&gt;]</detail>
</fault>
`);
    expect(renderFault(fault, 'json')).toBe(`{
  "reason": "Operation Failed",
  "detail": "[Cannot start: session is \\"active\\" & <busy>]"
}
`);
    expect(renderFault({ reason: 'Not Found' }, 'json', { pretty: false })).toBe('{"reason":"Not Found"}');
  });

  it('writes a failed action with its fault, then the echoed parameters', () => {
    const view = {
      status: 'failed',
      fault: { reason: 'Operation Failed', detail: 'Geo-replication session is not running' },
      job: { id: '789', href: '/ovirt-engine/api/jobs/789' },
      force: true,
    } as const;
    expect(renderAction(StartAction, view, 'xml')).toBe(`${XML_DECLARATION}
<action>
    <status>failed</status>
    <fault>
        <reason>Operation Failed</reason>
        <detail>Geo-replication session is not running</detail>
    </fault>
    <job id="789" href="/ovirt-engine/api/jobs/789"/>
    <force>true</force>
</action>
`);
    expect(renderAction(StartAction, view, 'json', { pretty: false })).toBe(
      '{"status":"failed","fault":{"reason":"Operation Failed","detail":"Geo-replication session is not running"},' +
        '"job":{"id":"789","href":"/ovirt-engine/api/jobs/789"},"force":true}',
    );
  });

  it('writes a complete action with its job, and async when echoed', () => {
    const out = renderAction(StartAction, { status: 'complete', job: { id: '7', href: '/j/7' }, async: false }, 'xml', {
      pretty: false,
    });
    expect(out).toBe(
      `${XML_DECLARATION}<action><status>complete</status><job id="7" href="/j/7"/><async>false</async></action>`,
    );
  });

  it('keeps the envelope first even for a parameter called name', () => {
    const Named = actionSchema({ name: str() });
    expect(renderAction(Named, { status: 'pending', name: 'x' }, 'json', { pretty: false })).toBe(
      '{"status":"pending","name":"x"}',
    );
  });
});
