/**
 * oVirt representations, pure (no Nest, no I/O): describe a type once with the schema DSL, then
 * render it (XML/JSON), read request bodies against it, and derive its OpenAPI schemas.
 *
 *   const Host = resource('host', 'hosts', { name: str({ maxLength: 50 }), cluster: ref('cluster') }, { actions: ['refresh'] });
 *   render(Host, { id, href, name, cluster: { id: cid, href: chref } }, 'xml');
 *   readBody(Host, text, { mode: 'create', format: 'json' });   // throws BodyError
 *   resourceOpenApi(Host);                                      // Host, HostXml, Hosts, HostsXml, HostCreate, …
 */
export * from './schema';
export * from './errors';
export { assertTimeZone, formatDate } from './dates';
export * from './render';
export * from './parse';
export * from './decode';
export * from './openapi';
