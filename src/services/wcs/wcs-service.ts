/**
 * The core WCS (1.0.0 and 2.0.1) over the raster layers of the LayerRegistry: GetCapabilities,
 * DescribeCoverage and GetCoverage (KVP). It registers like a plugin service; the context gives
 * it the layers, access control, the pool that reads and encodes coverages, and the limits.
 * Each operation's module says what it implements; wcs-coverages.ts decides what a client sees.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { knownVersion } from '../known-version.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler, OwsServiceDefinition } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { wcs100Capabilities } from './wcs100-capabilities.ts';
import { describeCoverage100 } from './wcs100-describe-coverage.ts';
import { getCoverage100 } from './wcs100-get-coverage.ts';
import { wcs201Capabilities } from './wcs201-capabilities.ts';
import { describeCoverage201 } from './wcs201-describe-coverage.ts';
import { getCoverage201 } from './wcs201-get-coverage.ts';
import { CoverageCatalog } from './wcs-coverages.ts';
import { DocumentCache } from '../document-cache.ts';
import { cachedCapabilities } from '../filter-cache.ts';
import { WCS_VERSIONS } from './wcs-versions.ts';
import { xmlString } from '../../xml/xml-document.ts';

export function createWcsService(context: MapServicesContext): OwsServiceDefinition {
  const catalog = new CoverageCatalog(context);
  const documents = new DocumentCache();

  const getCapabilities: OperationHandler = async ({ ctx, version: requested, endpoint }) => {
    const version = knownVersion(WCS_VERSIONS, requested);
    const metadata = context.metadata();
    return cachedCapabilities(
      context,
      ctx,
      documents,
      {
        service: 'WCS',
        version,
        endpoint,
        metadata,
        listed: context.layers.list(),
        contentType: TEXT_XML,
      },
      async () => {
        const coverages = await catalog.list(ctx);
        const document =
          version === '1.0.0'
            ? wcs100Capabilities(endpoint, metadata, coverages)
            : wcs201Capabilities(endpoint, metadata, coverages);
        return xmlString(document);
      },
    );
  };

  /** One handler per operation, picking the version's implementation. */
  const byVersion =
    (v100: OperationHandler, v201: OperationHandler): OperationHandler =>
    (request) =>
      knownVersion(WCS_VERSIONS, request.version) === '1.0.0' ? v100(request) : v201(request);

  return {
    name: 'WCS',
    title: 'Web Coverage Service',
    versions: WCS_VERSIONS,
    operations: {
      GetCapabilities: getCapabilities,
      DescribeCoverage: byVersion(describeCoverage100(catalog), describeCoverage201(catalog)),
      GetCoverage: byVersion(getCoverage100(context, catalog), getCoverage201(context, catalog)),
    },
    exceptionFormat(version: string): ExceptionFormat {
      return version === '1.0.0'
        ? { kind: 'ogc-se-dtd', version: '1.2.0' }
        : { kind: 'ows', owsVersion: '2.0.0', reportVersion: '2.0.0' };
    },
  };
}
