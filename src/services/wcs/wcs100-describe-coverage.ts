/**
 * WCS 1.0.0 DescribeCoverage: a CoverageDescription with one CoverageOffering per COVERAGE (all
 * readable coverages when COVERAGE is absent), in the order of describeCoverage.xsd. WCS 1.0.0
 * writes positions x first in every CRS (as MapServer does and GDAL reads them): the
 * RectifiedGrid's GridEnvelope is columns then rows, its origin the centre of the north-west
 * pixel ("lon lat"), and its offset vectors step east, then south.
 */
import { xmlDocument, xmlString } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { RASTER_NODATA } from '../../raster/raster-types.ts';
import { GML_NS, WCS_1_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { OperationHandler } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { addOfferingBrief } from './wcs100-capabilities.ts';
import type { Coverage, CoverageCatalog } from './wcs-coverages.ts';
import { WCS_CRSS } from './wcs-crs.ts';
import { noSuchCoverage } from './wcs-exceptions.ts';
import { exact, firstPixelCentre, resolutionOf } from './wcs-grid.ts';

/** GetCoverage FORMAT names, the first being the one listed as native. */
export const WCS_100_FORMATS = ['GeoTIFF'] as const;
/** WCS 1.0.0 interpolation names and the raster module's resampling for each. */
export const WCS_100_INTERPOLATIONS = {
  'nearest neighbor': 'nearest',
  bilinear: 'bilinear',
} as const;

export function describeCoverage100(catalog: CoverageCatalog): OperationHandler {
  return async ({ ctx, parameters }) => {
    const ids = (parameters.get('COVERAGE') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    let coverages: Coverage[];
    if (ids.length === 0) {
      coverages = await catalog.list(ctx);
    } else {
      const found = await Promise.all(ids.map((id) => catalog.find(ctx, id)));
      const missing = ids.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) throw noSuchCoverage('1.0.0', missing);
      coverages = found as Coverage[];
    }
    const document = coverageDescription(coverages);
    return { body: xmlString(document), contentType: TEXT_XML };
  };
}

export function coverageDescription(coverages: readonly Coverage[]): XMLBuilder {
  const root = xmlDocument().ele(WCS_1_0_NS, 'CoverageDescription', {
    version: '1.0.0',
    'xmlns:gml': GML_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation': `${WCS_1_0_NS} http://schemas.opengis.net/wcs/1.0.0/describeCoverage.xsd`,
  });
  for (const coverage of coverages) addOffering(root.ele('CoverageOffering'), coverage);
  return root;
}

function addOffering(offering: XMLBuilder, coverage: Coverage): void {
  const { grid, layer } = coverage;
  addOfferingBrief(offering, coverage);

  const spatial = offering.ele('domainSet').ele('spatialDomain');
  const [minX, minY, maxX, maxY] = grid.bbox;
  const envelope = spatial.ele(GML_NS, 'gml:Envelope', { srsName: grid.crs });
  envelope.ele(GML_NS, 'gml:pos').txt(`${minX} ${minY}`);
  envelope.ele(GML_NS, 'gml:pos').txt(`${maxX} ${maxY}`);
  const rectified = spatial.ele(GML_NS, 'gml:RectifiedGrid', { dimension: '2', srsName: grid.crs });
  const limits = rectified.ele(GML_NS, 'gml:limits').ele(GML_NS, 'gml:GridEnvelope');
  limits.ele(GML_NS, 'gml:low').txt('0 0');
  limits.ele(GML_NS, 'gml:high').txt(`${grid.width - 1} ${grid.height - 1}`);
  rectified.ele(GML_NS, 'gml:axisName').txt('x');
  rectified.ele(GML_NS, 'gml:axisName').txt('y');
  const [originX, originY] = firstPixelCentre(grid);
  rectified.ele(GML_NS, 'gml:origin').ele(GML_NS, 'gml:pos').txt(`${originX} ${originY}`);
  const [resX, resY] = resolutionOf(grid);
  rectified.ele(GML_NS, 'gml:offsetVector').txt(`${exact(resX, resX)} 0`);
  rectified.ele(GML_NS, 'gml:offsetVector').txt(`0 ${-exact(resY, resY)}`);

  const range = offering.ele('rangeSet').ele('RangeSet');
  range.ele('name').txt('elevation');
  range.ele('label').txt(`Elevation of ${layer.title} (m)`);
  range.ele('nullValues').ele('singleValue').txt(String(RASTER_NODATA));

  const crss = offering.ele('supportedCRSs');
  for (const crs of WCS_CRSS) crss.ele('requestResponseCRSs').txt(crs);
  crss.ele('nativeCRSs').txt(grid.crs);
  const formats = offering.ele('supportedFormats', { nativeFormat: WCS_100_FORMATS[0] });
  for (const format of WCS_100_FORMATS) formats.ele('formats').txt(format);
  const interpolations = offering.ele('supportedInterpolations', {
    default: 'nearest neighbor',
  });
  for (const name of Object.keys(WCS_100_INTERPOLATIONS)) {
    interpolations.ele('interpolationMethod').txt(name);
  }
}
