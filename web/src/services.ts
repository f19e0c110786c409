/**
 * The services list, as QGIS Server's landing page has it: each OGC service with its
 * capabilities URL, from the landing document's `service` links (the core's and the plugins').
 * The page's HTML already lists the core services, for browsers without JavaScript; this
 * replaces that list with what the server says.
 */
import { api } from './api.ts';
import { byId, h } from './dom.ts';

export async function loadServices(): Promise<void> {
  const list = byId<HTMLUListElement>('service-list');
  let items: Array<{ name: string; href: string }>;
  try {
    const links = await api.landingLinks();
    items = links
      .filter((link) => link.rel === 'service')
      .map((link) => ({
        name:
          new URL(link.href, location.href).searchParams.get('SERVICE') ?? link.title ?? link.href,
        href: link.href,
      }));
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
