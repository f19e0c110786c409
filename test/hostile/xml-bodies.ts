/**
 * XML documents a server must refuse before it expands anything: DOCTYPEs with internal entities,
 * billion laughs, external DTDs and external entities (file and network), parameter entities.
 * The external ones point at 127.0.0.1:9 (discard), so a server that fetched them would fetch
 * nothing real.
 */

const NOWHERE = 'http://127.0.0.1:9';

export interface HostileXml {
  label: string;
  xml: string;
}

const LAUGHS = [
  '<!ENTITY lol "lol">',
  ...Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ),
].join('');

/** FILTER documents (fes namespace) carrying each DTD attack. */
export function hostileFilters(): HostileXml[] {
  const filter = (doctype: string, inner: string) =>
    `<?xml version="1.0"?>${doctype}<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:ResourceId rid="${inner}"/></fes:Filter>`;
  return [
    {
      label: 'a DOCTYPE and an internal entity',
      xml: filter('<!DOCTYPE fes:Filter [<!ENTITY id "hut">]>', '&id;'),
    },
    {
      label: 'a billion-laughs DOCTYPE',
      xml: filter(`<!DOCTYPE fes:Filter [${LAUGHS}]>`, '&lol9;'),
    },
    {
      label: 'an external DTD',
      xml: filter(`<!DOCTYPE fes:Filter SYSTEM "${NOWHERE}/evil.dtd">`, 'hut'),
    },
    {
      label: 'an external file entity',
      xml: filter('<!DOCTYPE fes:Filter [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
    },
    {
      label: 'a parameter entity',
      xml: filter(
        `<!DOCTYPE fes:Filter [<!ENTITY % remote SYSTEM "${NOWHERE}/p.dtd">%remote;]>`,
        'hut',
      ),
    },
    {
      label: 'an empty DOCTYPE',
      xml: filter('<!DOCTYPE fes:Filter>', 'hut'),
    },
  ];
}

/** OWS operation documents (the root names the operation) carrying each DTD attack. */
export function hostileOperations(root: string, attributes: string): HostileXml[] {
  const doc = (doctype: string, inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>${doctype}<${root} ${attributes}>${inner}</${root}>`;
  const name = root.replace(/^.*:/, '');
  return [
    {
      label: 'a DOCTYPE with an internal entity',
      xml: doc(`<!DOCTYPE ${root} [<!ENTITY e "x">]>`, '&e;'),
    },
    { label: 'a billion-laughs DOCTYPE', xml: doc(`<!DOCTYPE ${root} [${LAUGHS}]>`, '&lol9;') },
    {
      label: 'an external DTD',
      xml: doc(`<!DOCTYPE ${root} SYSTEM "${NOWHERE}/${name}.dtd">`, ''),
    },
    {
      label: 'an external file entity',
      xml: doc(`<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, '&xxe;'),
    },
  ];
}
