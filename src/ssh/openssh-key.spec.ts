import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils as ssh2Utils } from 'ssh2';
import {
  ed25519PublicKey,
  ed25519PublicKeyBlob,
  encodeEd25519PrivateKey,
  generateEd25519PrivateKey,
} from './openssh-key';

/** A seed whose public key starts with a zero byte: the case ssh2's own generator gets wrong. */
function seedWithLeadingZeroPublicKey(): Buffer {
  for (;;) {
    const seed = crypto.randomBytes(32);
    if (ed25519PublicKey(seed)[0] === 0) return seed;
  }
}

function parsedByNode(privateKey: string): { publicBlob: Buffer; comment: string } {
  const parsed = ssh2Utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed)) throw new Error(`ssh2 cannot parse the key: ${String(parsed)}`);
  expect(parsed.isPrivateKey()).toBe(true);
  return { publicBlob: parsed.getPublicSSH(), comment: parsed.comment };
}

describe('Ed25519 keys in OpenSSH format', () => {
  it('matches the RFC 8032 test vector 1 public key', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    expect(ed25519PublicKey(seed).toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });

  it('encodes a key that ssh2 parses back, with its comment', () => {
    const seed = crypto.randomBytes(32);
    const parsed = parsedByNode(encodeEd25519PrivateKey(seed, 'georep-api'));
    expect(parsed.publicBlob).toEqual(ed25519PublicKeyBlob(ed25519PublicKey(seed)));
    expect(parsed.comment).toBe('georep-api');
  });

  it('keeps a public key that starts with a zero byte whole', () => {
    const seed = seedWithLeadingZeroPublicKey();
    const parsed = parsedByNode(encodeEd25519PrivateKey(seed, 'georep-api'));
    expect(parsed.publicBlob.subarray(-32)).toEqual(ed25519PublicKey(seed));
  });

  it('signs with the key it encodes', () => {
    const parsed = ssh2Utils.parseKey(generateEd25519PrivateKey('x'));
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('unparsable');
    const data = Buffer.from('challenge');
    expect(parsed.verify(data, parsed.sign(data))).toBe(true);
  });

  const haveSshKeygen = fs.existsSync('/usr/bin/ssh-keygen');
  (haveSshKeygen ? it : it.skip)('is read by OpenSSH, which derives the same public key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-key-'));
    try {
      for (const seed of [crypto.randomBytes(32), seedWithLeadingZeroPublicKey()]) {
        const file = path.join(dir, 'id');
        fs.writeFileSync(file, encodeEd25519PrivateKey(seed, 'georep-api'), { mode: 0o600 });
        const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim().split(' ');
        expect(derived[0]).toBe('ssh-ed25519');
        expect(Buffer.from(derived[1], 'base64')).toEqual(ed25519PublicKeyBlob(ed25519PublicKey(seed)));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
