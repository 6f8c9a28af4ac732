import { certificateBlocks, containsPrivateKey, pemBlocks } from './pem-blocks';

const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
const CERT_A = block('CERTIFICATE', 'QUFBQQ==\nQUFB');
const CERT_B = block('CERTIFICATE', 'QkJCQg==');
const KEY = block('PRIVATE KEY', 'S0VZS0VZ');

describe('certificateBlocks', () => {
  it('keeps only CERTIFICATE blocks, in order, from a combined chain and key file', () => {
    const combined = `Bag Attributes\n    friendlyName: server\nsubject=CN = host\n${CERT_A}\n${KEY}\n\n${CERT_B}\n`;
    expect(certificateBlocks(combined)).toBe(`${CERT_A}\n${CERT_B}\n`);
  });

  it.each(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY'])(
    'leaves out a %s block',
    (label) => {
      const served = certificateBlocks(`${block(label, 'U0VDUkVU')}\n${CERT_A}\n`);
      expect(served).toBe(`${CERT_A}\n`);
      expect(served).not.toContain('U0VDUkVU');
    },
  );

  it('leaves out a key hidden in a certificate block whose END does not match, and an unterminated block', () => {
    const tricky = `-----BEGIN CERTIFICATE-----\nQUFB\n-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n-----END PRIVATE KEY-----\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nU0VDUkVU\n`;
    expect(certificateBlocks(tricky)).toBe('');
    expect(certificateBlocks(`-----BEGIN CERTIFICATE-----\nU0VDUkVU\n-----END PRIVATE KEY-----\n`)).toBe('');
  });

  it('reads CRLF files and serves LF', () => {
    expect(certificateBlocks(`${CERT_A}\n`.replace(/\n/g, '\r\n'))).toBe(`${CERT_A}\n`);
  });

  it('gives nothing for a file without certificates', () => {
    expect(certificateBlocks('')).toBe('');
    expect(certificateBlocks(KEY)).toBe('');
  });
});

describe('pemBlocks', () => {
  it('names every complete block by its label', () => {
    expect(pemBlocks(`${CERT_A}\n${KEY}\n`).map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
  });
});

describe('containsPrivateKey', () => {
  it.each([
    KEY,
    block('RSA PRIVATE KEY', 'x'),
    block('ENCRYPTED PRIVATE KEY', 'x'),
    `${CERT_A}\n-----BEGIN EC PRIVATE KEY-----\nunterminated`,
  ])('finds %j', (text) => {
    expect(containsPrivateKey(text)).toBe(true);
  });
  it('finds none in certificates and public keys', () => {
    expect(containsPrivateKey(`${CERT_A}\n${CERT_B}\n${block('PUBLIC KEY', 'x')}`)).toBe(false);
  });
});
