/**
 * DescribeFeatureType: an XML Schema for the requested feature types (all when TYPENAMES is
 * absent), in Relief's feature namespace. Each type extends gml:AbstractFeatureType with the
 * geometry property first and then the inferred properties, all optional and nillable, as the
 * GML writer produces them. GML 3.2 and 3.1.1 differ in namespace, schema location and the
 * feature substitution group, and in geometry property types: GML 3.2 moved LineString- and
 * PolygonPropertyType to its deprecated types, so there a LineString property is a Curve and a
 * Polygon property a Surface (GDAL reads those as CompoundCurve and CurvePolygon).
 *
 * Access control: without TYPENAMES only the readable types are described, a hidden one named
 * is "not served here" as an unknown one, and withheld attributes are not declared.
 */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { xmlDocument } from '../../xml/xml-document.ts';
import type { GeometryKind, PropertySchema, PropertyType } from '../../vector/feature-schema.ts';
import type { VectorDataset } from '../../vector/vector-store.ts';
import { knownVersion } from '../known-version.ts';
import type { OperationHandler } from '../ows-service.ts';
import { xmlResult } from '../xml-result.ts';
import { requestAccess } from './wfs-access.ts';
import {
  datasetFor,
  FEATURE_NS,
  FEATURE_PREFIX,
  openFeatureType,
  readableVectorLayers,
  splitList,
} from './wfs-feature-types.ts';
import { schemaFormat } from './wfs-formats.ts';
import {
  GML_3_1_NS,
  GML_3_1_SCHEMA,
  GML_3_2_NS,
  GML_3_2_SCHEMA,
  XSD_NS,
} from './wfs-namespaces.ts';
import type { QuerySources } from './wfs-query.ts';
import { WFS_VERSIONS } from './wfs-versions.ts';

const GEOMETRY_TYPES: Record<GeometryKind, string> = {
  Point: 'gml:PointPropertyType',
  LineString: 'gml:CurvePropertyType',
  Polygon: 'gml:SurfacePropertyType',
  MultiPoint: 'gml:MultiPointPropertyType',
  MultiLineString: 'gml:MultiCurvePropertyType',
  MultiPolygon: 'gml:MultiSurfacePropertyType',
  GeometryCollection: 'gml:MultiGeometryPropertyType',
  Geometry: 'gml:GeometryPropertyType',
};

const GML_3_1_GEOMETRY_TYPES: Partial<Record<GeometryKind, string>> = {
  LineString: 'gml:LineStringPropertyType',
  Polygon: 'gml:PolygonPropertyType',
};

const PROPERTY_TYPES: Record<PropertyType, string> = {
  string: 'xsd:string',
  integer: 'xsd:long',
  number: 'xsd:double',
  boolean: 'xsd:boolean',
};

export function describeFeatureType(sources: QuerySources): OperationHandler {
  return async ({ ctx, parameters, version: requested }) => {
    const version = knownVersion(WFS_VERSIONS, requested);
    const format = schemaFormat(version, parameters.get('OUTPUTFORMAT'));
    const gml32 = format.encoding === 'gml32';
    const locator = version === '2.0.0' ? 'typeNames' : 'typeName';
    const names = parameters.get('TYPENAMES') ?? parameters.get('TYPENAME');
    const list = names === undefined ? [] : splitList(names.replace(/[()]/g, ','));
    const access = requestAccess(sources.accessControl, ctx);
    const types = await Promise.all(
      list.length > 0
        ? [...new Set(list)].map((name) =>
            datasetFor(sources.layers, sources.store, access, name, locator),
          )
        : readableVectorLayers(sources.layers, access).map((layer) =>
            openFeatureType(sources.store, layer),
          ),
    );

    const schema = xmlDocument().ele(XSD_NS, 'xsd:schema', {
      'xmlns:gml': gml32 ? GML_3_2_NS : GML_3_1_NS,
      [`xmlns:${FEATURE_PREFIX}`]: FEATURE_NS,
      targetNamespace: FEATURE_NS,
      elementFormDefault: 'qualified',
      version: '1.0',
    });
    schema.ele('xsd:import', {
      namespace: gml32 ? GML_3_2_NS : GML_3_1_NS,
      schemaLocation: gml32 ? GML_3_2_SCHEMA : GML_3_1_SCHEMA,
    });
    for (const { layer, dataset } of types) {
      addFeatureType(schema, dataset, access.properties(layer, dataset).properties, gml32);
    }
    return xmlResult(schema, format.contentType);
  };
}

function addFeatureType(
  schema: XMLBuilder,
  dataset: VectorDataset,
  properties: readonly PropertySchema[],
  gml32: boolean,
): void {
  const { geometryName, geometryType } = dataset.schema;
  const typeName = `${dataset.layer}Type`;
  const sequence = schema
    .ele('xsd:complexType', { name: typeName })
    .ele('xsd:complexContent')
    .ele('xsd:extension', { base: 'gml:AbstractFeatureType' })
    .ele('xsd:sequence');
  const optional = { minOccurs: '0', maxOccurs: '1', nillable: 'true' };
  sequence.ele('xsd:element', {
    name: geometryName,
    type:
      (gml32 ? undefined : GML_3_1_GEOMETRY_TYPES[geometryType]) ?? GEOMETRY_TYPES[geometryType],
    ...optional,
  });
  for (const property of properties) {
    sequence.ele('xsd:element', {
      name: property.name,
      type: PROPERTY_TYPES[property.type],
      ...optional,
    });
  }
  schema.ele('xsd:element', {
    name: dataset.layer,
    type: `${FEATURE_PREFIX}:${typeName}`,
    substitutionGroup: gml32 ? 'gml:AbstractFeature' : 'gml:_Feature',
  });
}
