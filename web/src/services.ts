/**
 * The services list, as QGIS Server's landing page has it: each OGC service with its
 * capabilities URL, from the landing document's `service` links, then the services plugins add
 * (`GET /plugins`). The page's HTML already lists the core services, for browsers without
 * JavaScript; this replaces that list with what the server says.
 */
import { api } from './api.ts';
import { byId, h } from './dom.ts';

export async function loadServices(): Promise<void> {
  const list = byId<HTMLUListElement>('service-list');
  let items: Array<{ name: string; href: string }>;
  try {
    const [links, plugins] = await Promise.all([api.landingLinks(), api.plugins().catch(() => [])]);
    items = links
      .filter((link) => link.rel === 'service')
      .map((link) => ({ name: link.title ?? link.href, href: link.href }));
    for (const plugin of plugins) {
      if (plugin.status !== 'loaded') continue;
      for (const service of plugin.services) {
        const query = new URLSearchParams({ SERVICE: service, REQUEST: 'GetCapabilities' });
        items.push({
          name: service,
          href: new URL(`ows?${query.toString()}`, document.baseURI).href,
        });
      }
    }
  } catch {
    return; // keep the static list
  }
  if (items.length === 0) return;
  list.replaceChildren(
    ...items.map((item) =>
      h(
        'li',
        {},
        h('span', { class: 'service-name' }, item.name),
        h('a', { href: item.href }, 'GetCapabilities'),
        h('code', {}, new URL(item.href, location.href).href),
      ),
    ),
  );
}
