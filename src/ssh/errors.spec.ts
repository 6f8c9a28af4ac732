import {
  classifyConnectFailure,
  SshConnectError,
  SshHostKeyMismatchError,
  SshNoEndpointReachableError,
} from './errors';

const endpoint = { host: 'gluster1.example.org', port: 22, username: 'root' };

function ssh2Error(message: string, fields: { code?: string; level?: string }): Error {
  return Object.assign(new Error(message), fields);
}

describe('SSH errors', () => {
  it.each([
    [{ code: 'ECONNREFUSED', level: 'client-socket' }, 'refused'],
    [{ code: 'EHOSTUNREACH', level: 'client-socket' }, 'unreachable'],
    [{ code: 'ENETUNREACH', level: 'client-socket' }, 'unreachable'],
    [{ code: 'ENOTFOUND', level: 'client-socket' }, 'unknown_host'],
    [{ code: 'EAI_AGAIN', level: 'client-socket' }, 'unknown_host'],
    [{ level: 'client-dns' }, 'unknown_host'],
    [{ code: 'ETIMEDOUT', level: 'client-socket' }, 'timeout'],
    [{ level: 'client-timeout' }, 'timeout'],
    [{ level: 'client-authentication' }, 'auth_failed'],
    [{ code: 'ECONNRESET', level: 'client-socket' }, 'closed'],
    [{ level: 'handshake' }, 'handshake_failed'],
    [{ level: 'protocol' }, 'handshake_failed'],
  ])('classifies %j as %s', (fields, reason) => {
    expect(classifyConnectFailure(ssh2Error('x', fields))).toBe(reason);
  });

  it('says where and why in the message', () => {
    expect(new SshConnectError(endpoint, 'refused').message).toBe(
      'SSH to root@gluster1.example.org:22: connection refused',
    );
    expect(new SshConnectError({ ...endpoint, host: '::1' }, 'timeout').message).toBe(
      'SSH to root@[::1]:22: no SSH handshake within the connect timeout',
    );
  });

  it('makes a host key mismatch a connection error carrying both fingerprints', () => {
    const error = new SshHostKeyMismatchError(endpoint, 'SHA256:expected', 'SHA256:presented');
    expect(error).toBeInstanceOf(SshConnectError);
    expect(error.reason).toBe('host_key_mismatch');
    expect(error.name).toBe('SshHostKeyMismatchError');
    expect(error.message).toContain('expected SHA256:expected, presented SHA256:presented');
  });

  it('lists every failed endpoint when none is reachable', () => {
    const error = new SshNoEndpointReachableError([
      { endpoint, error: new SshConnectError(endpoint, 'refused') },
      { endpoint: { ...endpoint, port: 2222 }, error: new SshConnectError({ ...endpoint, port: 2222 }, 'auth_failed') },
    ]);
    expect(error.message).toBe(
      'SSH: no endpoint reachable: root@gluster1.example.org:22: connection refused; root@gluster1.example.org:2222: authentication failed',
    );
  });
});
