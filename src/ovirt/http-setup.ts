import type { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { apiVersionMiddleware } from './api-version';
import { DOCS_PATH } from './docs-routes';
import { correlationIdMiddleware } from './correlation-id.middleware';
import { expectationMiddleware, unreadBodyMiddleware } from './http-server';
import type { OpenApiDocument } from './openapi-document';
import { bodyParserErrorHandler, RAW_BODY_OPTIONS } from './request-body';

/**
 * The HTTP set-up that must run before Nest routes a request (the app is created with bodyParser: false):
 * the correlation id first (so even these early faults carry it), `Connection: close` after a body that is
 * never read, the 417 for an `Expect` not understood, the `/v4` prefix and the Version header, the raw
 * body (1 MiB; bigger: 413), and Swagger UI at /docs with the same document `npm run openapi` writes.
 */
export function configureOvirtHttp(app: NestExpressApplication, document: OpenApiDocument): void {
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  // Responses are rendered per request (the API root carries the time); no ETag/304 handling.
  express.set('etag', false);
  app.use(correlationIdMiddleware);
  app.use(unreadBodyMiddleware);
  app.use(expectationMiddleware);
  app.use(apiVersionMiddleware);
  app.useBodyParser('raw', RAW_BODY_OPTIONS);
  app.use(bodyParserErrorHandler);
  // The page is public; the calls it makes go through the same access guard as any client's (docs-routes.ts).
  SwaggerModule.setup(DOCS_PATH, app, document as unknown as OpenAPIObject, {
    customSiteTitle: 'georep-api',
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
  });
}
