import {
  parseCheckpointEpoch,
  parseGeoRepAction,
  parseGeoRepConfigGet,
  parseGeoRepConfigSet,
  parseGeoRepConfigText,
  parseGeoRepConfigXml,
} from './index';

describe('config parsers', () => {
  it('the plain list splits at the first colon and canonicalizes names', () => {
    expect(
      parseGeoRepConfigText({
        stdout: 'ssh_options:-oA=b -i /x.pem\nallow_network:\nremote_gsyncd:host:/path\nslave_timeout:120\n',
        exitCode: 0,
      }),
    ).toEqual({
      'ssh-options': '-oA=b -i /x.pem',
      'allow-network': '',
      'remote-gsyncd': 'host:/path',
      'secondary-timeout': '120',
    });
  });

  it('an empty plain list is a parse error, a failed one a gluster error', () => {
    expect(() => parseGeoRepConfigText({ stdout: '\n', exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
    expect(() =>
      parseGeoRepConfigText({
        stdout: 'geo-replication command failed\n',
        stderr: 'Geo-replication session between mastervol and vm::novol does not exist.\n',
        exitCode: 1,
      }),
    ).toThrow(expect.objectContaining({ kind: 'no_session' }));
  });

  it('XML config without <config> is a parse error', () => {
    const xml = '<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><geoRep/></cliOutput>';
    expect(() => parseGeoRepConfigXml({ stdout: xml, exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
  });

  it('a single get returns the value; an empty value is ""', () => {
    expect(parseGeoRepConfigGet({ stdout: 'aux-gfid-mount acl\n', exitCode: 0 })).toBe('aux-gfid-mount acl');
    expect(parseGeoRepConfigGet({ stdout: '\n', exitCode: 0 })).toBe('');
    expect(() => parseGeoRepConfigGet({ stdout: 'a\nb\n', exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
    expect(() =>
      parseGeoRepConfigGet({ stdout: 'geo-replication command failed\n', stderr: 'Invalid option\n', exitCode: 1 }),
    ).toThrow(expect.objectContaining({ kind: 'invalid_option' }));
  });

  it('checkpoint epoch: 0 means none', () => {
    expect(parseCheckpointEpoch({ stdout: '0\n', exitCode: 0 })).toBeNull();
    expect(parseCheckpointEpoch({ stdout: '1795314191\n', exitCode: 0 })).toBe(1795314191);
    expect(() => parseCheckpointEpoch({ stdout: 'now\n', exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
  });

  it('config set without a message element falls back to opErrstr', () => {
    const xml =
      '<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr>config-set successful</opErrstr><geoRep/></cliOutput>';
    expect(parseGeoRepConfigSet({ stdout: xml, exitCode: 0 })).toEqual({ message: 'config-set successful' });
  });

  it('actions in the <= 9 naming (master/slave elements)', () => {
    const xml =
      '<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><geoRep><master>mv</master><slave>gl-b::sv</slave></geoRep></cliOutput>';
    expect(parseGeoRepAction({ stdout: xml, exitCode: 0 })).toEqual({
      masterVolume: 'mv',
      slave: 'gl-b::sv',
      note: null,
    });
  });
});
