import { DOCS_ROUTES } from './docs-routes';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { OWN_SESSION } from './access.guard';
import {
  DESCRIBED_ROUTE,
  DescribedRouteSpec,
  OVIRT_COLLECTION,
  OVIRT_ROUTE,
  OvirtRouteSpec,
  PUBLIC_ROUTE,
} from './routes';

/** @nestjs/swagger's marker of a controller left out of the API description (health). */
const SWAGGER_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

/** One HTTP route of the application, read from decorator metadata only (nothing is instantiated). */
export interface DiscoveredRoute {
  readonly method: string;
  /** Express form: `/ovirt-engine/api/clusters/:id`. */
  readonly path: string;
  readonly spec?: OvirtRouteSpec;
  /** `@DescribedRoute()`: a route that serves no oVirt representation, described as it is. */
  readonly described?: DescribedRouteSpec;
  /** Set on the routes of an `@OvirtCollection` controller. */
  readonly collection?: string;
  readonly isPublic: boolean;
  /** `@OwnSession()`: any authenticated role may use it (never a 403). */
  readonly anyRole: boolean;
  /** `@ApiExcludeController()`: served, but not part of the API description. */
  readonly excluded: boolean;
  readonly source: string;
}

function paths(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value ?? ''];
  return list.map((p) => String(p));
}

function join(...parts: string[]): string {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/');
  return `/${joined}`;
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every route of every controller in the module graph and Swagger UI's (docs-routes.ts), sorted by path then method. */
export function discoverRoutes(modules: ModulesContainer): DiscoveredRoute[] {
  const scanner = new MetadataScanner();
  const routes: DiscoveredRoute[] = [];
  const seen = new Set<Type>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const collection = Reflect.getMetadata(OVIRT_COLLECTION, controller) as string | undefined;
      const excluded =
        (Reflect.getMetadata(SWAGGER_EXCLUDE_CONTROLLER, controller) as boolean[] | undefined)?.[0] === true;
      const classPublic = Reflect.getMetadata(PUBLIC_ROUTE, controller) === true;
      const classAnyRole = Reflect.getMetadata(OWN_SESSION, controller) === true;
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        for (const base of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const sub of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({
              method,
              path: join(base, sub),
              spec: Reflect.getMetadata(OVIRT_ROUTE, handler) as OvirtRouteSpec | undefined,
              described: Reflect.getMetadata(DESCRIBED_ROUTE, handler) as DescribedRouteSpec | undefined,
              collection,
              isPublic: classPublic || Reflect.getMetadata(PUBLIC_ROUTE, handler) === true,
              anyRole: classAnyRole || Reflect.getMetadata(OWN_SESSION, handler) === true,
              excluded,
              source: `${controller.name}.${name}`,
            });
          }
        }
      }
    }
  }
  routes.push(...DOCS_ROUTES);
  return routes.sort(
    (a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
}

/** The top-level collections (the links of the API root), sorted by name. */
export function collectionsOf(routes: readonly DiscoveredRoute[]): string[] {
  const names = routes
    .filter((r) => r.collection !== undefined && r.spec?.operation === 'list')
    .map((r) => r.collection as string);
  return [...new Set(names)].sort();
}

/** Types that have a GET-by-id route: their references can be followed. */
export function servedTypes(routes: readonly DiscoveredRoute[]): Set<string> {
  return new Set(routes.flatMap((r) => (r.spec?.operation === 'get' ? [r.spec.schema.type] : [])));
}
