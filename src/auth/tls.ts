import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import { AppConfig, ConfigError } from '../config/config';
import { ensureDataDir } from '../config/data-files';
import { certificateBlocks, containsPrivateKey } from './pem-blocks';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** Days a generated self-signed certificate is valid. */
const SELF_SIGNED_DAYS = 825;

function read(file: string, setting: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${setting}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

/**
 * pki-resource serves the CA file (or the certificate file) to anyone: a private key in it is refused at
 * start-up rather than filtered silently, so the operator learns the key sits in a file meant to be public.
 */
function refusePrivateKey(text: string, file: string, setting: string): void {
  if (containsPrivateKey(text)) {
    throw new ConfigError([
      `${setting}: ${file} contains a private key; it is served publicly at pki-resource: keep only certificates in it and the key in its own file (GEOREP_TLS_KEY_FILE)`,
    ]);
  }
}

/** Names the generated certificate is valid for: this machine's name, localhost and the loopback addresses, and HOST when it is specific. */
function subjectAltNames(host: string): { type: 2 | 7; value?: string; ip?: string }[] {
  const dns = new Set(['localhost', os.hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (host !== '0.0.0.0' && host !== '::') (isIP(host) ? ips : dns).add(host);
  return [
    ...[...dns].map((value) => ({ type: 2 as const, value })),
    ...[...ips].map((ip) => ({ type: 7 as const, ip })),
  ];
}

async function generateSelfSigned(config: AppConfig, certFile: string, keyFile: string): Promise<void> {
  ensureDataDir(config);
  fs.mkdirSync(path.dirname(certFile), { recursive: true, mode: 0o700 });
  const pems = await generate([{ name: 'commonName', value: os.hostname() }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(config.host) },
    ],
  });
  const pem = (text: string) => `${text.trimEnd()}\n`;
  fs.writeFileSync(keyFile, pem(pems.private), { mode: 0o600 });
  fs.writeFileSync(certFile, pem(pems.cert), { mode: 0o644 });
}

/**
 * The certificate and key to serve HTTPS with, or undefined for plain HTTP. With GEOREP_TLS_SELF_SIGNED
 * a pair is generated into `<data dir>/tls/` on first start and reused afterwards. A file that cannot be
 * read, a key that does not belong to the certificate, or a private key in the certificate or CA file
 * (both served publicly), is a configuration error.
 */
export async function loadTlsMaterial(config: AppConfig): Promise<TlsMaterial | undefined> {
  const tls = config.tls;
  if (!tls) return undefined;
  if (tls.selfSigned && (!fs.existsSync(tls.certFile) || !fs.existsSync(tls.keyFile))) {
    await generateSelfSigned(config, tls.certFile, tls.keyFile);
  }
  const certSetting = tls.selfSigned ? 'GEOREP_TLS_SELF_SIGNED' : 'GEOREP_TLS_CERT_FILE';
  const keySetting = tls.selfSigned ? 'GEOREP_TLS_SELF_SIGNED' : 'GEOREP_TLS_KEY_FILE';
  const cert = read(tls.certFile, certSetting);
  refusePrivateKey(cert, tls.certFile, certSetting);
  const key = read(tls.keyFile, keySetting);
  let matches: boolean;
  try {
    matches = new crypto.X509Certificate(cert).checkPrivateKey(crypto.createPrivateKey(key));
  } catch {
    throw new ConfigError([
      `${certSetting}: ${tls.certFile} and ${tls.keyFile} must be a PEM certificate and its PEM private key`,
    ]);
  }
  if (!matches)
    throw new ConfigError([
      `${keySetting}: the key in ${tls.keyFile} does not belong to the certificate in ${tls.certFile}`,
    ]);
  if (tls.caFile !== undefined) {
    const ca = read(tls.caFile, 'GEOREP_TLS_CA_FILE');
    refusePrivateKey(ca, tls.caFile, 'GEOREP_TLS_CA_FILE');
    if (certificateBlocks(ca) === '')
      throw new ConfigError([
        `GEOREP_TLS_CA_FILE: ${tls.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      ]);
  }
  return { cert, key };
}

/**
 * What pki-resource serves as the CA certificate: the CERTIFICATE blocks of GEOREP_TLS_CA_FILE, else of the
 * certificate (chain) served; nothing else of the file (start-up refuses a key in it, and the file may change).
 */
export function caCertificatePem(config: AppConfig): string | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  return certificateBlocks(fs.readFileSync(tls.caFile ?? tls.certFile, 'utf8'));
}
