import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { caCertificatePem } from '../auth/tls';
import { APP_CONFIG, AppConfig } from '../config/config';
import { OvirtFault } from '../ovirt/faults';
import { DescribedRoute, DescribedRouteSpec, Public } from '../ovirt/routes';
import { ServiceKey } from '../ssh/service-key';

const ENGINE_CERTIFICATE = 'engine-certificate';
const OPENSSH_PUBKEY = 'OPENSSH-PUBKEY';
const CA_CERTIFICATE = 'ca-certificate';
const X509_PEM_CA = 'X509-PEM-CA';

/** Echoes a query value in a message only when it is a plain token. */
function shown(value: string): string {
  return /^[A-Za-z0-9._-]{1,40}$/.test(value) ? `"${value}"` : 'the given value';
}

function single(value: unknown, name: string): string {
  if (value === undefined || value === '') throw OvirtFault.invalidParameter(name, 'the parameter is required');
  if (typeof value !== 'string') throw OvirtFault.invalidParameter(name, 'give the parameter once');
  return value;
}

/** How the API description has pki-resource. */
const PKI_RESOURCE_ROUTE: DescribedRouteSpec = {
  tag: {
    name: 'pki',
    description:
      "oVirt's PKI resource: the public half of the service's SSH key, which hosts put in authorized_keys, and, when the " +
      'service serves HTTPS, the certificate clients should trust. Plain text.',
  },
  operationId: 'getPkiResource',
  summary: 'A public key or certificate of the service',
  parameters: [
    {
      name: 'resource',
      in: 'query',
      required: true,
      description: `${ENGINE_CERTIFICATE}: the SSH public key; ${CA_CERTIFICATE}: the certificate to trust (only when the service serves HTTPS).`,
      schema: { type: 'string', enum: [ENGINE_CERTIFICATE, CA_CERTIFICATE] },
      example: ENGINE_CERTIFICATE,
    },
    {
      name: 'format',
      in: 'query',
      required: true,
      description: `${OPENSSH_PUBKEY} for ${ENGINE_CERTIFICATE}, ${X509_PEM_CA} for ${CA_CERTIFICATE} (in any case).`,
      schema: { type: 'string', enum: [OPENSSH_PUBKEY, X509_PEM_CA] },
      example: OPENSSH_PUBKEY,
    },
  ],
  responses: {
    '200': {
      description: 'One OpenSSH public key line, or the PEM certificate blocks.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
  },
  faults: [400, 404, 500],
};

/**
 * oVirt's PKI resource servlet, for the resources this service has: the public half of its SSH key,
 * which hosts put in authorized_keys (`engine-certificate`, `OPENSSH-PUBKEY`), and, when it serves
 * HTTPS, the certificate clients should trust (`ca-certificate`, `X509-PEM-CA`; the certificate blocks
 * of GEOREP_TLS_CA_FILE or of the served certificate file, never anything else in it), as with
 * `ovirt-engine/services/pki-resource` on an engine.
 * Plain text, not an oVirt representation: the API description has it as it is (@DescribedRoute).
 */
@Public()
@Controller('ovirt-engine/services')
export class PkiController {
  constructor(
    private readonly serviceKey: ServiceKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('pki-resource')
  @DescribedRoute(PKI_RESOURCE_ROUTE)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  publicKey(@Query('resource') resourceParam: unknown, @Query('format') formatParam: unknown): string {
    const resource = single(resourceParam, 'resource');
    const format = single(formatParam, 'format');
    const offered = this.config.tls ? `${ENGINE_CERTIFICATE} and ${CA_CERTIFICATE}` : ENGINE_CERTIFICATE;
    if (resource === CA_CERTIFICATE) {
      const pem = caCertificatePem(this.config);
      if (pem === undefined)
        throw new OvirtFault(
          404,
          'Not Found',
          `no PKI resource ${shown(resource)}: this service does not serve HTTPS; it offers ${offered}`,
        );
      if (format.toUpperCase() !== X509_PEM_CA) {
        throw OvirtFault.invalidParameter(
          'format',
          `${shown(format)} is not offered for ${CA_CERTIFICATE}; use ${X509_PEM_CA}`,
        );
      }
      return pem;
    }
    if (resource !== ENGINE_CERTIFICATE)
      throw new OvirtFault(404, 'Not Found', `no PKI resource ${shown(resource)}; this service offers ${offered}`);
    if (format.toUpperCase() !== OPENSSH_PUBKEY) {
      throw OvirtFault.invalidParameter(
        'format',
        `${shown(format)} is not offered for ${ENGINE_CERTIFICATE}; use ${OPENSSH_PUBKEY}`,
      );
    }
    return `${this.serviceKey.publicKey}\n`;
  }
}
