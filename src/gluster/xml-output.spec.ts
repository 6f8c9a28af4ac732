import {
  GlusterCommandError,
  GlusterErrorKind,
  child,
  childText,
  classifyGlusterMessage,
  cleanGlusterMessage,
  intOrNull,
  parseCliXml,
  parsePlainOutput,
  parseXmlDocument,
} from './index';

function glusterError(fn: () => unknown): GlusterCommandError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GlusterCommandError);
  return caught as GlusterCommandError;
}

const envelope = (opRet: number, opErrstr: string, body = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cliOutput>\n  <opRet>${opRet}</opRet>\n  <opErrno>${
    opRet === 0 ? 0 : 30800
  }</opErrno>\n  ${opErrstr ? `<opErrstr>${opErrstr}</opErrstr>` : '<opErrstr/>'}\n${body}</cliOutput>\n`;

describe('parseXmlDocument', () => {
  it('keeps mixed content, attributes and child order', () => {
    const root = parseXmlDocument(
      '<bricks><brick uuid="u1">vm:/b1<name>vm:/b1</name><isArbiter>0</isArbiter></brick><brick uuid="u2">vm:/b2</brick></bricks>',
    );
    expect(root.name).toBe('bricks');
    expect(root.children.map((b) => [b.attributes.uuid, b.text])).toEqual([
      ['u1', 'vm:/b1'],
      ['u2', 'vm:/b2'],
    ]);
    expect(childText(root.children[0], 'name')).toBe('vm:/b1');
    expect(child(root.children[0], 'isArbiter')?.text).toBe('0');
  });

  it('decodes entities gluster uses (&amp;)', () => {
    expect(parseXmlDocument('<a>mastervol &amp; vm::slavevol</a>').text).toBe('mastervol & vm::slavevol');
  });

  it.each([
    '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>',
  ])('refuses DOCTYPE/ENTITY declarations: %s', (xml) => {
    const err = glusterError(() => parseXmlDocument(xml));
    expect(err.kind).toBe('parse_error');
  });

  it.each(['<a><b></a>', '<a>', 'not xml', '<a attr></a>', ''])('reports malformed XML as parse_error: %j', (xml) => {
    expect(glusterError(() => parseXmlDocument(xml)).kind).toBe('parse_error');
  });
});

describe('parseCliXml (the cliOutput envelope)', () => {
  it('opRet 0 is success even with a noisy opErrstr', () => {
    const env = parseCliXml({ stdout: envelope(0, 'primary not found', '<geoRep/>'), exitCode: 0 });
    expect(env).toMatchObject({ opRet: 0, opErrno: 0, opErrstr: 'primary not found' });
    expect(child(env.root, 'geoRep')).toBeDefined();
  });

  it.each<[number, string, GlusterErrorKind]>([
    [-1, 'Geo-replication session between mastervol and vm::novol does not exist.', 'no_session'],
    [2, 'Geo-replication session between mastervol and vm::slavevol already Paused.', 'already_paused'],
    [-1, 'Volume novol does not exist', 'volume_not_found'],
    [-1, 'Something new and unexpected', 'failed'],
  ])('opRet %d decides: %s → %s (exit code 0 notwithstanding)', (opRet, msg, kind) => {
    const err = glusterError(() => parseCliXml({ stdout: envelope(opRet, msg), exitCode: 0 }));
    expect(err).toMatchObject({ kind, glusterMessage: msg, message: msg });
    expect(err.opRet).toBe(opRet);
    expect(err.exitCode).toBe(0);
  });

  it('opRet != 0 with an empty opErrstr falls back to stderr', () => {
    const err = glusterError(() => parseCliXml({ stdout: envelope(-1, ''), stderr: 'Invalid option\n', exitCode: 0 }));
    expect(err).toMatchObject({ kind: 'invalid_option', glusterMessage: 'Invalid option' });
  });

  it('no XML and a non-zero exit: the message from stderr, or stdout without the generic marker', () => {
    expect(
      glusterError(() =>
        parseCliXml({ stdout: 'geo-replication command failed\n', stderr: 'Invalid option\n', exitCode: 1 }),
      ),
    ).toMatchObject({
      kind: 'invalid_option',
      glusterMessage: 'Invalid option',
    });
    const bare = glusterError(() => parseCliXml({ stdout: 'geo-replication command failed\n', exitCode: 2 }));
    expect(bare).toMatchObject({ kind: 'failed', glusterMessage: 'geo-replication command failed' });
    expect(bare.exitCode).toBe(2);
    const hinted = glusterError(() =>
      parseCliXml({ stdout: 'geo-replication command failed\n', exitCode: 2 }, { bareFailureKind: 'no_session' }),
    );
    expect(hinted.kind).toBe('no_session');
    // Only the bare exit-2 answer: a daemon failure must never read as "no session".
    for (const out of [
      { stdout: 'geo-replication command failed\n', exitCode: 1 },
      { stdout: 'geo-replication command failed\n', stderr: 'Connection failed.', exitCode: 2 },
      { stdout: 'Connection failed. Please check if gluster daemon is operational.\n', exitCode: 2 },
    ]) {
      expect(glusterError(() => parseCliXml(out, { bareFailureKind: 'no_session' })).kind).toBe('failed');
    }
  });

  it('killed by a signal (exit code null) is a failure', () => {
    expect(glusterError(() => parseCliXml({ stdout: '', stderr: '', exitCode: null })).kind).toBe('failed');
  });

  it('no XML with exit 0 is a parse error, not success', () => {
    expect(glusterError(() => parseCliXml({ stdout: 'Number of Peers: 0\n', exitCode: 0 })).kind).toBe('parse_error');
  });

  it('wrong root or missing opRet is a parse error', () => {
    expect(glusterError(() => parseCliXml({ stdout: '<other><cliOutput/></other>', exitCode: 0 })).kind).toBe(
      'parse_error',
    );
    expect(
      glusterError(() => parseCliXml({ stdout: '<cliOutput><opErrno>0</opErrno></cliOutput>', exitCode: 0 })).kind,
    ).toBe('parse_error');
    expect(
      glusterError(() => parseCliXml({ stdout: '<cliOutput><opRet>x</opRet></cliOutput>', exitCode: 0 })).kind,
    ).toBe('parse_error');
  });

  it('strips control characters from gluster messages', () => {
    const err = glusterError(() => parseCliXml({ stdout: envelope(-1, 'bad\u001b[31m thing'), exitCode: 0 }));
    expect(err.glusterMessage).toBe('bad[31m thing');
  });
});

describe('parsePlainOutput', () => {
  it('returns trimmed stdout on exit 0', () => {
    expect(parsePlainOutput({ stdout: '3\n', exitCode: 0 })).toBe('3');
  });

  it('throws with stderr as the message on a non-zero exit', () => {
    const err = glusterError(() =>
      parsePlainOutput({
        stdout: 'geo-replication command failed\n',
        stderr: 'geo-replication config-set failed for mastervol vm::slavevol\n',
        exitCode: 3,
      }),
    );
    expect(err).toMatchObject({
      kind: 'config_set_failed',
      glusterMessage: 'geo-replication config-set failed for mastervol vm::slavevol',
    });
    expect(err.exitCode).toBe(3);
  });

  it('uses stdout when stderr is empty (status of an unknown session prints on stdout)', () => {
    const err = glusterError(() =>
      parsePlainOutput({
        stdout: 'No active geo-replication sessions between mastervol and vm::novol\ngeo-replication command failed\n',
        exitCode: 1,
      }),
    );
    expect(err).toMatchObject({
      kind: 'no_session',
      glusterMessage: 'No active geo-replication sessions between mastervol and vm::novol',
    });
  });
});

describe('helpers', () => {
  it('classifyGlusterMessage', () => {
    expect(classifyGlusterMessage('Passwordless ssh login has not been setup with vm for user root.')).toBe(
      'slave_unreachable',
    );
    expect(classifyGlusterMessage('')).toBe('failed');
  });

  it('cleanGlusterMessage caps length and normalizes newlines', () => {
    expect(cleanGlusterMessage('a\r\nb\r')).toBe('a\nb');
    expect(cleanGlusterMessage('x'.repeat(3000))).toHaveLength(2001);
  });

  it('intOrNull', () => {
    expect([
      intOrNull('0'),
      intOrNull('-1'),
      intOrNull('N/A'),
      intOrNull(''),
      intOrNull(undefined),
      intOrNull('1.5'),
    ]).toEqual([0, -1, null, null, null, null]);
  });
});
