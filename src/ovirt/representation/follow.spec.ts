import { RenderError } from './errors';
import { renderJson, renderXml } from './render';
import { ref, resource, str, ViewOf } from './schema';

const Cluster = resource('cluster', 'clusters', { name: str() });
const Host = resource('host', 'hosts', { name: str(), cluster: ref('cluster') });

describe('a followed reference', () => {
  const view: ViewOf<typeof Host> = {
    id: 'h1',
    href: '/h/h1',
    name: 'host1',
    cluster: { id: 'c1', href: '/c/c1', followed: { schema: Cluster, view: { id: 'ignored', name: 'one' } } },
  };

  it('is rendered as the referenced object, keeping the reference id and href', () => {
    expect(renderXml(Host, view, { pretty: false })).toContain(
      '<cluster id="c1" href="/c/c1"><name>one</name></cluster>',
    );
    expect(renderJson(Host, view, { pretty: false })).toContain('"cluster":{"id":"c1","href":"/c/c1","name":"one"}');
  });

  it('must fit the followed schema', () => {
    const bad = {
      ...view,
      cluster: { id: 'c1', followed: { schema: Cluster, view: { name: 7 } } },
    } as unknown as ViewOf<typeof Host>;
    expect(() => renderXml(Host, bad)).toThrow(RenderError);
    const notResource = {
      ...view,
      cluster: { id: 'c1', followed: { schema: { kind: 'object' }, view: {} } },
    } as unknown as ViewOf<typeof Host>;
    expect(() => renderXml(Host, notResource)).toThrow('host.cluster.followed: expected {schema, view} of a resource');
  });
});
