import type { DiscoveredRoute } from './route-discovery';
import type { DescribedRouteSpec } from './routes';

/** Swagger UI and the document it shows, served by SwaggerModule (http-setup.ts) rather than a controller. */
export const DOCS_PATH = 'docs';

const DOCS_TAG = {
  name: 'docs',
  description:
    'This API description (OpenAPI 3.0) and Swagger UI, which calls the API with the credentials it is given.',
};

function docsRoute(path: string, spec: Omit<DescribedRouteSpec, 'tag'>): DiscoveredRoute {
  return {
    method: 'GET',
    path: `/${DOCS_PATH}${path}`,
    described: { tag: DOCS_TAG, ...spec },
    isPublic: true,
    anyRole: false,
    excluded: false,
    source: 'SwaggerModule',
  };
}

/** The routes of /docs as the API description has them (the UI's own script and licence files are left out). */
export const DOCS_ROUTES: readonly DiscoveredRoute[] = [
  docsRoute('', {
    operationId: 'getDocsPage',
    summary: 'Swagger UI (also at /docs/)',
    responses: { '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } } },
  }),
  docsRoute('/openapi.json', {
    operationId: 'getOpenApiJson',
    summary: 'This document, as JSON (the same as openapi/openapi.yaml)',
    responses: {
      '200': { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  }),
  docsRoute('/openapi.yaml', {
    operationId: 'getOpenApiYaml',
    summary: 'This document, as YAML',
    responses: { '200': { description: 'The document.', content: { 'text/yaml': { schema: { type: 'string' } } } } },
  }),
];
