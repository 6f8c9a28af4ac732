import { decodeBody } from './decode';
import { parseBody } from './parse';
import { Format, render, renderAction } from './render';
import { HostSchema, hostView, StartAction } from './sample.fixture';

const formats: Format[] = ['xml', 'json'];

describe('render -> parse -> decode gives the values back', () => {
  // Ids of references are UUIDs on input.
  const clusterId = '45600000-0000-4000-8000-000000000456';
  const view = {
    ...hostView,
    cluster: { id: clusterId, href: `/ovirt-engine/api/clusters/${clusterId}` },
    last_seen: new Date('2026-11-22T04:30:00.007Z'),
  };
  const expected = {
    name: 'gluster1',
    description: 'first & <best> "one"',
    address: '192.0.2.10',
    cluster: { id: clusterId },
    ssh: { port: 22, user: 'root' },
    options: [
      { name: 'a', value: '1' },
      { name: 'b', value: 'x<y' },
    ],
    gluster_service: true,
    last_seen: new Date('2026-11-22T04:30:00.007Z'),
    size: 1099511627776,
  };

  it.each(formats)('%s, pretty and compact, in any time zone', (format) => {
    for (const options of [
      {},
      { pretty: false },
      { timeZone: 'Asia/Kolkata' },
      { timeZone: 'America/St_Johns', pretty: false },
    ]) {
      const text = render(HostSchema, view, format, options);
      const update = decodeBody(HostSchema, parseBody(text, format, 'host'), { mode: 'update', format });
      expect(update).toEqual(expected);
      // The same text is also a complete create body (read-only fields are ignored).
      expect(decodeBody(HostSchema, parseBody(text, format, 'host'), { mode: 'create', format })).toEqual(expected);
    }
  });

  const tricky = [
    '',
    ' leading and trailing ',
    'tab\tnew\nline\r\ncarriage',
    '&amp; is not &',
    ']]> <![CDATA[ <!-- --> <?pi?>',
    'quotes " and \' and `',
    '<!DOCTYPE x [<!ENTITY y "z">]> &y;',
    'emoji \u{1F600} and \u00e9\u0301 and \u4e2d\u6587',
    '\u00a0non-breaking\u2003em space',
  ];

  it.each(formats)('%s keeps tricky text exactly', (format) => {
    for (const description of tricky) {
      const text = render(HostSchema, { ...view, description }, format);
      const back = decodeBody(HostSchema, parseBody(text, format, 'host'), { mode: 'update', format });
      expect(back.description).toBe(description);
    }
  });

  it.each(formats)('%s action envelope: the parameters come back, the envelope is ignored', (format) => {
    const text = renderAction(
      StartAction,
      { status: 'failed', fault: { reason: 'r', detail: 'd' }, job: { id: 'j' }, force: true, async: false },
      format,
    );
    expect(decodeBody(StartAction, parseBody(text, format, 'action'), { mode: 'action', format })).toEqual({
      force: true,
      async: false,
    });
  });
});
