import { fingerprintOfKeyBlob, isFingerprint, normalizeFingerprint, sameFingerprint } from './fingerprint';

// Keys made with ssh-keygen; the fingerprints are what `ssh-keygen -lf` printed for them.
const ED25519 = {
  base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIEco/b40S5ZbW7UlrpJy6/0XNIlQq4w7RBJ6NGlSitPw',
  fingerprint: 'SHA256:V0NFspqtbn94Ln3BZwI9Oa+sKBgmcDjaH57GwgPPiOA',
};
const RSA = {
  base64:
    'AAAAB3NzaC1yc2EAAAADAQABAAAAgQCxNQdT+uikSy/Dq/sslCI1OkqsoVzgxGLSlKmbPBB2nd8r1D1vtbF8Y8b3/mn0h/8QRVVjtM1XHK/IjV/bDE2hajbt78dZCpF0U0cHYj5YIie4a/hR5xy1i8D/tyF4eyEOuQ0KCM5w05/diAgc2USsaUva4Pr1IlQKYhWbnUIHxw==',
  fingerprint: 'SHA256:+aiqS7QD7VrDSthepgOP9pTG+qbfm3etdx3U4SuQqcs',
};

describe('host key fingerprints', () => {
  it.each([ED25519, RSA])('formats a key blob as OpenSSH prints it (%#)', ({ base64, fingerprint }) => {
    expect(fingerprintOfKeyBlob(Buffer.from(base64, 'base64'))).toBe(fingerprint);
  });

  it('recognises the SHA256 form only', () => {
    expect(isFingerprint(ED25519.fingerprint)).toBe(true);
    expect(isFingerprint(`${ED25519.fingerprint}=`)).toBe(true);
    expect(isFingerprint('MD5:12:34:56')).toBe(false);
    expect(isFingerprint('SHA256:short')).toBe(false);
    expect(isFingerprint(`${ED25519.fingerprint}\n`)).toBe(false);
    expect(isFingerprint(` ${ED25519.fingerprint}`)).toBe(false);
  });

  it('treats base64 padding as the same fingerprint', () => {
    expect(normalizeFingerprint(`${RSA.fingerprint}=`)).toBe(RSA.fingerprint);
    expect(sameFingerprint(`${RSA.fingerprint}=`, RSA.fingerprint)).toBe(true);
    expect(sameFingerprint(ED25519.fingerprint, RSA.fingerprint)).toBe(false);
  });

  it('refuses to compare something that is not a fingerprint', () => {
    expect(() => normalizeFingerprint('garbage')).toThrow(TypeError);
    expect(() => sameFingerprint('garbage', ED25519.fingerprint)).toThrow(TypeError);
  });
});
