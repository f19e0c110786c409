/**
 * The extent of a GeoTIFF from its georeferencing (tiepoint and pixel scale, or a model
 * transformation), read with the `geotiff` package: only the header and the first image's tags
 * are read, not the pixels. Sources must be in EPSG:4326 for now, so a projected or other
 * geographic CRS in the GeoKeys is a problem with the layer.
 */
import { stat } from 'node:fs/promises';
import { fromFile, type GeoTIFF } from 'geotiff';
import { fileProblem, LayerProblem, wgs84Bbox, type Bbox } from './layer-problem.ts';

const USER_DEFINED = 32767;

export async function geotiffExtent(path: string): Promise<Bbox> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    throw fileProblem(error, 'file');
  }
  if (isFolder) throw new LayerProblem('is a folder, expected a file');
  let tiff: GeoTIFF;
  try {
    tiff = await fromFile(path);
  } catch (error) {
    throw new LayerProblem(`not a readable TIFF: ${(error as Error).message}`);
  }
  try {
    const image = await tiff.getImage();
    const keys = image.getGeoKeys() ?? {};
    checkCrs(keys);
    let box: number[];
    try {
      box = image.getBoundingBox();
    } catch {
      throw new LayerProblem(
        'has no georeferencing (ModelTiepoint and ModelPixelScale, or ModelTransformation)',
      );
    }
    // Pixel-is-point grids (GTRasterTypeGeoKey 2) put the tiepoint on the first pixel's centre:
    // the area the pixels cover is half a pixel further west and north (as GDAL reads them).
    if (keys.GTRasterTypeGeoKey === 2) {
      const [rx = 0, ry = 0] = image.getResolution().map(Math.abs);
      const [west = NaN, south = NaN, east = NaN, north = NaN] = box;
      box = [west - rx / 2, south + ry / 2, east - rx / 2, north + ry / 2];
    }
    return wgs84Bbox(box, 'its georeferenced extent');
  } catch (error) {
    if (error instanceof LayerProblem) throw error;
    throw new LayerProblem(`not a readable GeoTIFF: ${(error as Error).message}`);
  } finally {
    await tiff.close();
  }
}

function checkCrs(keys: Partial<Record<string, unknown>>): void {
  const projected = keys.ProjectedCSTypeGeoKey;
  if (projected !== undefined || keys.GTModelTypeGeoKey === 1) {
    const name = projected === USER_DEFINED ? 'a user-defined CRS' : `EPSG:${String(projected)}`;
    throw new LayerProblem(
      `is in a projected CRS (${projected === undefined ? 'unknown' : name}); only EPSG:4326 is supported for sources`,
    );
  }
  const geographic = keys.GeographicTypeGeoKey;
  if (geographic !== undefined && geographic !== 4326) {
    const name = geographic === USER_DEFINED ? 'a user-defined CRS' : `EPSG:${String(geographic)}`;
    throw new LayerProblem(`is in ${name}; only EPSG:4326 is supported for sources`);
  }
}
