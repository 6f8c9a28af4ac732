import { allowedMethods } from './method-not-allowed';
import type { DiscoveredRoute } from './route-discovery';

const route = (method: string, path: string): DiscoveredRoute => ({
  method,
  path,
  isPublic: false,
  anyRole: false,
  excluded: false,
  source: 'test',
});

const ROUTES = [
  route('GET', '/ovirt-engine/api/clusters'),
  route('POST', '/ovirt-engine/api/clusters'),
  route('GET', '/ovirt-engine/api/clusters/:id'),
  route('PUT', '/ovirt-engine/api/clusters/:id'),
  route('DELETE', '/ovirt-engine/api/clusters/:id'),
  route('POST', '/ovirt-engine/api/clusters/:id/refresh'),
  route('GET', '/ovirt-engine/api/clusters/:cluster/glustervolumes'),
];

describe('allowedMethods', () => {
  it('lists the methods of every route on the path, HEAD with GET, in a fixed order', () => {
    expect(allowedMethods(ROUTES, '/ovirt-engine/api/clusters')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(ROUTES, '/ovirt-engine/api/clusters/123')).toEqual(['GET', 'HEAD', 'PUT', 'DELETE']);
    expect(allowedMethods(ROUTES, '/ovirt-engine/api/clusters/123/refresh')).toEqual(['POST']);
    expect(allowedMethods(ROUTES, '/ovirt-engine/api/clusters/123/glustervolumes')).toEqual(['GET', 'HEAD']);
  });

  it('matches as Express routes: any case, one trailing slash, any non-empty segment for a parameter', () => {
    expect(allowedMethods(ROUTES, '/OVIRT-ENGINE/api/Clusters/')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(ROUTES, '/ovirt-engine/api/clusters/%ff%fe/refresh')).toEqual(['POST']);
  });

  it('is empty for a path no route has', () => {
    for (const path of [
      '/ovirt-engine/api/nothing',
      '/ovirt-engine/api/clusters//refresh',
      '/ovirt-engine/api/clusters/1/refresh/more',
      '/',
    ])
      expect(allowedMethods(ROUTES, path)).toEqual([]);
  });
});
