/**
 * The OWS Common sections that WFS and WCS capabilities share: ServiceIdentification,
 * ServiceProvider and OperationsMetadata. OWS 1.0 (WFS 1.1) lists allowed values bare and has no
 * Profile; OWS 1.1 (WFS 2.0) and 2.0 (WCS 2.0) wrap them in AllowedValues. Element order follows
 * the owsServiceIdentification, owsServiceProvider and owsOperationsMetadata schemas.
 * The caller declares the `ows` and `xlink` prefixes on the document element.
 */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { OwsVersion } from '../ogc-namespaces.ts';
import type { ServiceMetadata } from '../service-metadata.ts';

export interface ServiceIdentificationOptions {
  serviceType: string;
  serviceTypeVersion: string;
  /** Conformance class URIs; OWS 1.0 has no Profile element, so they are dropped there. */
  profiles?: readonly string[];
}

export function addServiceIdentification(
  parent: XMLBuilder,
  owsVersion: OwsVersion,
  metadata: ServiceMetadata,
  options: ServiceIdentificationOptions,
): void {
  const section = parent.ele('ows:ServiceIdentification');
  section.ele('ows:Title').txt(metadata.title);
  section.ele('ows:Abstract').txt(metadata.abstract);
  section.ele('ows:ServiceType', { codeSpace: 'OGC' }).txt(options.serviceType);
  section.ele('ows:ServiceTypeVersion').txt(options.serviceTypeVersion);
  if (owsVersion !== '1.0.0') {
    for (const profile of options.profiles ?? []) section.ele('ows:Profile').txt(profile);
  }
  section.ele('ows:Fees').txt(metadata.fees);
  section.ele('ows:AccessConstraints').txt(metadata.accessConstraints);
}

export function addServiceProvider(parent: XMLBuilder, metadata: ServiceMetadata): void {
  const section = parent.ele('ows:ServiceProvider');
  section.ele('ows:ProviderName').txt(metadata.providerName);
  // ServiceContact is required; all of its children are optional.
  section.ele('ows:ServiceContact');
}

export interface OwsOperation {
  name: string;
  /** Whether to advertise POST (KVP form or XML body) besides GET. */
  post: boolean;
  parameters?: Readonly<Record<string, readonly string[]>>;
}

export interface OperationsMetadataOptions {
  endpoint: string;
  operations: readonly OwsOperation[];
  /** Service-wide constraints, e.g. the WFS 2.0 conformance statement (name → TRUE/FALSE). */
  constraints?: Readonly<Record<string, boolean>>;
}

export function addOperationsMetadata(
  parent: XMLBuilder,
  owsVersion: OwsVersion,
  options: OperationsMetadataOptions,
): void {
  const section = parent.ele('ows:OperationsMetadata');
  for (const operation of options.operations) {
    const element = section.ele('ows:Operation', { name: operation.name });
    const http = element.ele('ows:DCP').ele('ows:HTTP');
    http.ele('ows:Get', { 'xlink:type': 'simple', 'xlink:href': `${options.endpoint}?` });
    if (operation.post) {
      http.ele('ows:Post', { 'xlink:type': 'simple', 'xlink:href': options.endpoint });
    }
    for (const [name, values] of Object.entries(operation.parameters ?? {})) {
      addDomain(element, 'ows:Parameter', owsVersion, name, values);
    }
  }
  for (const [name, value] of Object.entries(options.constraints ?? {})) {
    const text = value ? 'TRUE' : 'FALSE';
    if (owsVersion === '1.0.0') {
      addDomain(section, 'ows:Constraint', owsVersion, name, [text]);
    } else {
      const constraint = section.ele('ows:Constraint', { name });
      constraint.ele('ows:NoValues');
      constraint.ele('ows:DefaultValue').txt(text);
    }
  }
}

/** An ows:DomainType element: OWS 1.0 lists Value children, later versions AllowedValues. */
export function addDomain(
  parent: XMLBuilder,
  elementName: string,
  owsVersion: OwsVersion,
  name: string,
  values: readonly string[],
): XMLBuilder {
  const element = parent.ele(elementName, { name });
  const list = owsVersion === '1.0.0' ? element : element.ele('ows:AllowedValues');
  for (const value of values) list.ele('ows:Value').txt(value);
  return element;
}
