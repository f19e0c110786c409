/**
 * WCS 2.0.1 DescribeCoverage: a wcs:CoverageDescription per COVERAGEID, in the order of
 * wcsDescribeCoverage.xsd (gml:boundedBy, wcs:CoverageId, gml:coverageFunction, gml:domainSet,
 * gmlcov:rangeType, wcs:ServiceParameters).
 *
 * The grid is stated in the CRS's own axis order, as rasdaman does: for EPSG:4326 the grid axes
 * are "Lat Long", the GridEnvelope is rows then columns, the origin is "lat lon" and the first
 * offset vector steps south. The GridFunction's sequenceRule axisOrder "+2 +1" says the second
 * axis (longitude) varies fastest, which is how the GeoTIFF stores the values and how GDAL knows
 * to swap the grid axes to its column/row order. The origin is the centre of the north-west
 * pixel; for HGT, whose samples are points on whole multiples of the sample step, that is the
 * first sample itself.
 */
import { xmlDocument, xmlString } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { RASTER_NODATA } from '../../raster/raster-types.ts';
import { WCS_2_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { OperationHandler } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import type { Coverage, CoverageCatalog } from './wcs-coverages.ts';
import { CRS_AXES, CRS_URI, yFirst } from './wcs-crs.ts';
import { noSuchCoverage, wcs20Exception } from './wcs-exceptions.ts';
import { exact, firstPixelCentre, resolutionOf } from './wcs-grid.ts';

export const GML_32_NS = 'http://www.opengis.net/gml/3.2';
export const GMLCOV_NS = 'http://www.opengis.net/gmlcov/1.0';
export const SWE_NS = 'http://www.opengis.net/swe/2.0';

/** The range of every coverage: one Int16 band of heights in metres. */
export const RANGE_FIELD = 'elevation';

export function describeCoverage201(catalog: CoverageCatalog): OperationHandler {
  return async ({ ctx, parameters }) => {
    const ids = (parameters.get('COVERAGEID') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length === 0) {
      throw wcs20Exception(
        'EmptyCoverageIdList',
        'DescribeCoverage needs COVERAGEID: one or more coverage identifiers, comma-separated',
        'coverageId',
      );
    }
    const found = await Promise.all(ids.map((id) => catalog.find(ctx, id)));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length > 0) throw noSuchCoverage('2.0.1', missing);
    const document = coverageDescriptions(found as Coverage[]);
    return { body: xmlString(document), contentType: TEXT_XML };
  };
}

export function coverageDescriptions(coverages: readonly Coverage[]): XMLBuilder {
  const root = xmlDocument().ele(WCS_2_0_NS, 'wcs:CoverageDescriptions', {
    'xmlns:gml': GML_32_NS,
    'xmlns:gmlcov': GMLCOV_NS,
    'xmlns:swe': SWE_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation': `${WCS_2_0_NS} http://schemas.opengis.net/wcs/2.0/wcsDescribeCoverage.xsd`,
  });
  for (const coverage of coverages) addDescription(root, coverage);
  return root;
}

function addDescription(root: XMLBuilder, coverage: Coverage): void {
  const { grid, id } = coverage;
  const crsUri = CRS_URI[grid.crs];
  const axes = CRS_AXES[grid.crs];
  const swap = yFirst(grid.crs);
  /** A position given x first, in the CRS's axis order. */
  const pos = (x: number, y: number) => (swap ? `${y} ${x}` : `${x} ${y}`);
  const [resX, resY] = resolutionOf(grid);
  const [minX, minY, maxX, maxY] = grid.bbox;

  const description = root.ele('wcs:CoverageDescription', { 'gml:id': id });
  const envelope = description.ele('gml:boundedBy').ele('gml:Envelope', {
    srsName: crsUri,
    axisLabels: axes.labels.join(' '),
    uomLabels: `${axes.uom} ${axes.uom}`,
    srsDimension: '2',
  });
  envelope.ele('gml:lowerCorner').txt(pos(minX, minY));
  envelope.ele('gml:upperCorner').txt(pos(maxX, maxY));
  description.ele('wcs:CoverageId').txt(id);
  const gridFunction = description.ele('gml:coverageFunction').ele('gml:GridFunction');
  gridFunction.ele('gml:sequenceRule', { axisOrder: swap ? '+2 +1' : '+1 +2' }).txt('Linear');
  gridFunction.ele('gml:startPoint').txt('0 0');

  const rectified = description
    .ele('gml:domainSet')
    .ele('gml:RectifiedGrid', { dimension: '2', 'gml:id': `${id}-grid` });
  const limits = rectified.ele('gml:limits').ele('gml:GridEnvelope');
  limits.ele('gml:low').txt('0 0');
  limits.ele('gml:high').txt(pos(grid.width - 1, grid.height - 1));
  rectified.ele('gml:axisLabels').txt(axes.labels.join(' '));
  const [originX, originY] = firstPixelCentre(grid);
  rectified
    .ele('gml:origin')
    .ele('gml:Point', { 'gml:id': `${id}-origin`, srsName: crsUri })
    .ele('gml:pos')
    .txt(pos(originX, originY));
  // One vector per grid axis, in grid axis order; each in the CRS's axis order.
  const stepX = pos(exact(resX, resX), 0);
  const stepY = pos(0, -exact(resY, resY));
  for (const vector of swap ? [stepY, stepX] : [stepX, stepY]) {
    rectified.ele('gml:offsetVector', { srsName: crsUri }).txt(vector);
  }

  const quantity = description
    .ele('gmlcov:rangeType')
    .ele('swe:DataRecord')
    .ele('swe:field', { name: RANGE_FIELD })
    .ele('swe:Quantity', { definition: 'http://www.opengis.net/def/dataType/OGC/0/signedShort' });
  quantity.ele('swe:label').txt('Elevation');
  quantity.ele('swe:description').txt('Height above mean sea level, 16-bit signed integer');
  quantity
    .ele('swe:nilValues')
    .ele('swe:NilValues')
    .ele('swe:nilValue', { reason: 'http://www.opengis.net/def/nil/OGC/0/missing' })
    .txt(String(RASTER_NODATA));
  quantity.ele('swe:uom', { code: 'm' });

  const service = description.ele('wcs:ServiceParameters');
  service.ele('wcs:CoverageSubtype').txt('RectifiedGridCoverage');
  service.ele('wcs:nativeFormat').txt('image/tiff');
}
