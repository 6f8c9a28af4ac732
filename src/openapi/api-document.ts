import { ModulesContainer } from '@nestjs/core';
import { dump } from 'js-yaml';
import { packageInfo } from '../config/package-info';
import { buildOpenApiDocument, OpenApiDocument } from '../ovirt/openapi-document';
import { discoverRoutes } from '../ovirt/route-discovery';

const DESCRIPTION = `${packageInfo().description}.

Conventions (oVirt REST v4): XML is the default, JSON with \`Accept: application/json\`; request bodies in
either, by Content-Type. In JSON numbers and booleans are native and dates are epoch milliseconds; in
XML dates are ISO 8601 with an offset. Collections are \`<clusters><cluster>…\` in XML and
\`{"cluster": […]}\` in JSON. Every error is a fault: \`<fault><reason/><detail/></fault>\` or
\`{"reason", "detail"}\` (the SSO endpoints answer oVirt's SSO errors, \`{"error_code", "error"}\`).
Paths may also start with /ovirt-engine/api/v4. A method a path does not declare (e.g. PATCH, TRACE)
answers 405 Method Not Allowed with an \`Allow\` header listing the ones it does, as a fault; an
unknown path is a 404.`;

/** The OpenAPI document of the routes in this module graph. */
export function apiDocument(modules: ModulesContainer): OpenApiDocument {
  return buildOpenApiDocument(discoverRoutes(modules), { title: packageInfo().name, version: packageInfo().version, description: DESCRIPTION });
}

export function apiDocumentYaml(document: OpenApiDocument): string {
  return dump(document, { lineWidth: 120, noRefs: true });
}
