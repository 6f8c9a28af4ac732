import { Controller, Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { packageInfo } from '../config/package-info';
import { API_ROOT, collectionHref } from './api-paths';
import { date, int, obj, resource, ResourceSchema, str, ViewOf } from './representation';
import type { RootRepresentation } from './response.interceptor';
import { collectionsOf, DiscoveredRoute, discoverRoutes } from './route-discovery';
import { ApiRootRoute } from './routes';

/** `<api>`: a `<link rel href>` per top-level collection, `product_info` and `time`. */
export function apiRootSchema(collections: readonly string[]): ResourceSchema {
  return resource(
    'api',
    // Never rendered: there is one root. Distinct from 'api' so its OpenAPI names do not clash.
    'apis',
    {
      product_info: obj('product_info', {
        name: str(),
        vendor: str(),
        version: obj('version', { build: int(), full_version: str(), major: int(), minor: int(), revision: int() }),
      }),
      time: date({ description: 'the time on the server' }),
    },
    {
      links: collections,
      description: 'The entry point: a link to every collection, the product and the time on the server.',
    },
  );
}

/** name, vendor and version of package.json, in oVirt's product_info shape (`1.2.3`: major 1, minor 2, build 3). */
export function productInfo(): {
  name: string;
  vendor: string;
  version: { build: number; full_version: string; major: number; minor: number; revision: number };
} {
  const { name, author, version } = packageInfo();
  const [major = 0, minor = 0, build = 0] = version.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  return {
    name,
    vendor: author,
    version: { build, full_version: version, major, minor, revision: 0 },
  };
}

/** The application's routes, read once from the module graph: what the API root links to. */
@Injectable()
export class ApiRoutes {
  private routes?: DiscoveredRoute[];

  constructor(private readonly modules: ModulesContainer) {}

  all(): readonly DiscoveredRoute[] {
    this.routes ??= discoverRoutes(this.modules);
    return this.routes;
  }

  collections(): string[] {
    return collectionsOf(this.all());
  }
}

@Controller(API_ROOT.slice(1))
export class ApiRootController {
  constructor(private readonly routes: ApiRoutes) {}

  @ApiRootRoute()
  get(): RootRepresentation {
    const collections = this.routes.collections();
    const schema = apiRootSchema(collections);
    const view: ViewOf<typeof schema> = {
      product_info: productInfo(),
      time: new Date(),
      link: collections.map((rel) => ({ rel, href: collectionHref(rel) })),
    };
    return { schema, view };
  }
}
