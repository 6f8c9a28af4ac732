import { decryptSecret, encryptSecret, SecretDecryptionError } from './secret-box';

const SECRET = 'k'.repeat(16) + 'a-long-random-service-secret-value';
const PLAINTEXT = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

function replacePart(sealed: string, index: number, replace: (part: Buffer) => Buffer): string {
  const parts = sealed.split(':');
  parts[index] = replace(Buffer.from(parts[index], 'base64url')).toString('base64url');
  return parts.join(':');
}

function flipFirstBit(part: Buffer): Buffer {
  const copy = Buffer.from(part);
  copy[0] ^= 1;
  return copy;
}

describe('secret box', () => {
  it('round-trips, with a versioned format that hides the plaintext', () => {
    const sealed = encryptSecret(PLAINTEXT, SECRET, 'ssh_service_key');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(sealed).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(decryptSecret(sealed, SECRET, 'ssh_service_key')).toBe(PLAINTEXT);
  });

  it('seals the same value differently every time', () => {
    expect(encryptSecret(PLAINTEXT, SECRET, 'n')).not.toBe(encryptSecret(PLAINTEXT, SECRET, 'n'));
  });

  it('does not open with another service secret', () => {
    const sealed = encryptSecret(PLAINTEXT, SECRET, 'n');
    expect(() => decryptSecret(sealed, `${SECRET}x`, 'n')).toThrow(SecretDecryptionError);
  });

  it('does not open under another name', () => {
    const sealed = encryptSecret(PLAINTEXT, SECRET, 'ssh_service_key');
    expect(() => decryptSecret(sealed, SECRET, 'other_secret')).toThrow(SecretDecryptionError);
  });

  it.each([
    ['salt', 1],
    ['iv', 2],
    ['tag', 3],
    ['ciphertext', 4],
  ])('detects a changed %s', (_part, index) => {
    const sealed = replacePart(encryptSecret(PLAINTEXT, SECRET, 'n'), index, flipFirstBit);
    expect(() => decryptSecret(sealed, SECRET, 'n')).toThrow(SecretDecryptionError);
  });

  it('detects a shortened ciphertext', () => {
    const sealed = replacePart(encryptSecret(PLAINTEXT, SECRET, 'n'), 4, (c) => c.subarray(0, c.length - 1));
    expect(() => decryptSecret(sealed, SECRET, 'n')).toThrow(SecretDecryptionError);
  });

  it.each(['', 'plain text', 'v2:aaaa:bbbb:cccc:dddd', 'v1:only:three', 'v1:a:b:c:d', 'v1:!!:b:c:d'])(
    'refuses a malformed value %j',
    (value) => {
      expect(() => decryptSecret(value, SECRET, 'n')).toThrow(SecretDecryptionError);
    },
  );

  it('names an unknown version without echoing arbitrary content', () => {
    expect(() => decryptSecret('v7:a:b:c:d', SECRET, 'n')).toThrow('unknown secret format "v7"');
    expect(() => decryptSecret('-----BEGIN x', SECRET, 'n')).toThrow('unknown secret format "?"');
  });
});
