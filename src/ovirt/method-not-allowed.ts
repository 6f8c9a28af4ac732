import type { DiscoveredRoute } from './route-discovery';

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

function segments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/');
}

/** Whether a request path matches a route path (`/clusters/:id`) as Express routes it: any case, one trailing slash. */
function matches(route: readonly string[], request: readonly string[]): boolean {
  return (
    route.length === request.length &&
    route.every((part, i) =>
      part.startsWith(':') ? request[i] !== '' : part.toLowerCase() === request[i].toLowerCase(),
    )
  );
}

/**
 * The methods the routes serve at a request path (HEAD wherever GET is, as Express answers it), in a fixed
 * order; empty when no route has this path.
 */
export function allowedMethods(routes: readonly DiscoveredRoute[], path: string): string[] {
  const request = segments(path);
  const methods = new Set<string>();
  for (const route of routes) {
    if (!matches(segments(route.path), request)) continue;
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
  }
  return ORDER.filter((m) => methods.has(m));
}
