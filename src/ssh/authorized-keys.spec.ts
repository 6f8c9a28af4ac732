import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AUTHORIZED_KEYS_INSTALL_COMMAND,
  formatOpenSshPublicKey,
  InvalidPublicKeyError,
  parseInstallOutcome,
  parseOpenSshPublicKey,
  publicKeyBlob,
} from './authorized-keys';

const KEY_BASE64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIEco/b40S5ZbW7UlrpJy6/0XNIlQq4w7RBJ6NGlSitPw';
const KEY = `ssh-ed25519 ${KEY_BASE64} georep-api`;
const OTHER_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCxNQdT+uikSy/Dq/sslCI1OkqsoVzgxGLSlKmbPBB2nd8r1D1vtbF8Y8b3/mn0h/8QRVVjtM1XHK/IjV/bDE2hajbt78dZCpF0U0cHYj5YIie4a/hR5xy1i8D/tyF4eyEOuQ0KCM5w05/diAgc2USsaUva4Pr1IlQKYhWbnUIHxw== admin@laptop';

describe('OpenSSH public key lines', () => {
  it('parses type, key and comment', () => {
    expect(parseOpenSshPublicKey(`${KEY}\n`)).toEqual({
      type: 'ssh-ed25519',
      base64: KEY_BASE64,
      comment: 'georep-api',
    });
    expect(parseOpenSshPublicKey(`ssh-ed25519 ${KEY_BASE64}`)).toEqual({ type: 'ssh-ed25519', base64: KEY_BASE64 });
    expect(publicKeyBlob(parseOpenSshPublicKey(KEY)).subarray(4, 15).toString()).toBe('ssh-ed25519');
  });

  it('normalises spacing and keeps a comment with spaces', () => {
    const key = parseOpenSshPublicKey(`  ssh-ed25519\t${KEY_BASE64}   root at host  `);
    expect(formatOpenSshPublicKey(key)).toBe(`ssh-ed25519 ${KEY_BASE64} root at host`);
  });

  it.each([
    ['an unknown type', `ssh-dss ${KEY_BASE64}`],
    ['options in front', `command="/bin/true" ${KEY}`],
    ['a type that does not match the blob', `ssh-rsa ${KEY_BASE64}`],
    ['broken base64', `ssh-ed25519 ${KEY_BASE64.slice(0, -1)}`],
    ['no key at all', 'ssh-ed25519'],
    ['two lines', `${KEY}\n${OTHER_KEY}`],
    ['a carriage return inside', `${KEY}\rssh-ed25519 x`],
    ['a control character in the comment', `${KEY}\u001b[31m`],
    ['a NUL', `${KEY}\0`],
    ['an empty line', ''],
  ])('refuses %s', (_what, line) => {
    expect(() => parseOpenSshPublicKey(line)).toThrow(InvalidPublicKeyError);
  });

  it('reads the outcome the install script prints', () => {
    expect(parseInstallOutcome('added\n')).toBe('added');
    expect(parseInstallOutcome('motd line\npresent\n')).toBe('present');
    expect(parseInstallOutcome('')).toBeUndefined();
  });
});

/** Runs the install command as sshd would: the login shell gets it with -c, the key arrives on stdin. */
function install(home: string, stdin: string, shell = '/bin/sh') {
  const run = spawnSync(shell, ['-c', AUTHORIZED_KEYS_INSTALL_COMMAND], {
    input: stdin,
    env: { HOME: home, PATH: process.env.PATH },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the authorized_keys install command (run with the local shell)', () => {
  let home: string;
  const file = () => path.join(home, '.ssh', 'authorized_keys');
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-ak-'));
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates ~/.ssh (0700) and authorized_keys (0600) with the key', () => {
    expect(install(home, `${KEY}\n`)).toEqual({ status: 0, stdout: 'added\n', stderr: '' });
    expect(fs.readFileSync(file(), 'utf8')).toBe(`${KEY}\n`);
    expect(fs.statSync(path.join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('adds the key once however often it runs', () => {
    install(home, `${KEY}\n`);
    expect(install(home, `${KEY}\n`).stdout).toBe('present\n');
    expect(install(home, KEY).stdout).toBe('present\n');
    expect(fs.readFileSync(file(), 'utf8')).toBe(`${KEY}\n`);
  });

  it('finds the key under another comment or behind options', () => {
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(file(), `${OTHER_KEY}\nfrom="10.0.0.0/8",no-pty ssh-ed25519 ${KEY_BASE64} old comment\n`);
    expect(install(home, `${KEY}\n`).stdout).toBe('present\n');
    expect(fs.readFileSync(file(), 'utf8').split('\n')).toHaveLength(3);
  });

  it('does not count a commented-out key, keeps other lines and fixes permissions', () => {
    fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o755 });
    fs.writeFileSync(file(), `# ${KEY}\n  # ssh-ed25519 ${KEY_BASE64}\n${OTHER_KEY}`, { mode: 0o644 });
    expect(install(home, `${KEY}\n`).stdout).toBe('added\n');
    expect(fs.readFileSync(file(), 'utf8')).toBe(`# ${KEY}\n  # ssh-ed25519 ${KEY_BASE64}\n${OTHER_KEY}\n${KEY}\n`);
    expect(fs.statSync(path.join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('fails without a key on stdin and writes nothing', () => {
    const run = install(home, '');
    expect(run.status).not.toBe(0);
    expect(fs.existsSync(file())).toBe(false);
  });

  it('treats shell syntax in the stdin line as data', () => {
    const marker = path.join(home, 'pwned');
    const run = install(home, `ssh-ed25519 ${KEY_BASE64} $(touch ${marker}) \`touch ${marker}\` ; touch ${marker} *\n`);
    expect(run.status).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.readFileSync(file(), 'utf8')).toContain('$(touch');
  });

  it.each(['/bin/bash', '/bin/dash'].filter((shell) => fs.existsSync(shell)))(
    'works when the login shell is %s',
    (shell) => {
      expect(install(home, `${KEY}\n`, shell).stdout).toBe('added\n');
      expect(install(home, `${KEY}\n`, shell).stdout).toBe('present\n');
    },
  );
});
