/**
 * A minimal GeoTIFF writer for one Int16 band, in EPSG:4326 (degrees) or EPSG:3857 (metres).
 * The `geotiff` package's writer cannot be used: it silently writes Int16Array values as garbage
 * (only float and unsigned arrays are encoded), builds the file one value at a time and caps the
 * IFD at 1000 bytes. Moved here from the elevation plugin, which writes its mosaics with it,
 * strip by strip (openGeoTiffInt16Writer): the head depends only on the size, so the pixels can
 * follow it as they are produced.
 *
 * Layout (baseline TIFF 6.0, little-endian, uncompressed strips):
 *   header (8 bytes) | IFD (tags sorted by number) | tag values longer than 4 bytes | pixels
 * Georeferencing: PixelIsArea, with the tiepoint on the outer north-west corner of the first
 * pixel and ModelPixelScale = the pixel size, so GDAL reports the first pixel centred half a
 * pixel inside. The nodata value is the GDAL_NODATA tag (42113), which GDAL and QGIS read.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { DirtyBytes } from '../storage/write-sync.ts';
import { endianness } from 'node:os';
import { cropMargin } from './crop-margin.ts';
import type { RasterCrs, RasterWindow } from './raster-types.ts';

export interface GeoTiffInt16 {
  width: number;
  height: number;
  /** Row-major, row 0 = north. */
  data: Int16Array;
  /** Default 'EPSG:4326'. */
  crs?: RasterCrs;
  /** Outer west and north edges of the first pixel, in degrees (EPSG:4326) or metres (EPSG:3857). */
  west: number;
  north: number;
  /** Pixel size (x, y) in the same units, both positive. */
  resolution: [number, number];
  nodata: number;
}

const TYPE = { ascii: 2, short: 3, long: 4, double: 12 } as const;
const TYPE_SIZE = { ascii: 1, short: 2, long: 4, double: 8 } as const;
type TagType = keyof typeof TYPE;

interface Tag {
  tag: number;
  type: TagType;
  values: number[] | string;
}

const STRIP_BYTES = 256 * 1024;

/** GeoKeyDirectory entries (key, location, count, value), sorted by key, and GeoAsciiParams. */
function geoKeys(crs: RasterCrs): { keys: number[][]; ascii: string } {
  if (crs === 'EPSG:3857') {
    const ascii = 'WGS 84 / Pseudo-Mercator|';
    return {
      ascii,
      keys: [
        [1024, 0, 1, 1], // GTModelTypeGeoKey = ModelTypeProjected
        [1025, 0, 1, 1], // GTRasterTypeGeoKey = RasterPixelIsArea
        [1026, 34737, ascii.length, 0], // GTCitationGeoKey, in GeoAsciiParams
        [3072, 0, 1, 3857], // ProjectedCSTypeGeoKey = WGS 84 / Pseudo-Mercator
        [3076, 0, 1, 9001], // ProjLinearUnitsGeoKey = metre
      ],
    };
  }
  const ascii = 'WGS 84|';
  return {
    ascii,
    keys: [
      [1024, 0, 1, 2], // GTModelTypeGeoKey = ModelTypeGeographic
      [1025, 0, 1, 1], // GTRasterTypeGeoKey = RasterPixelIsArea
      [2048, 0, 1, 4326], // GeographicTypeGeoKey = WGS 84
      [2049, 34737, ascii.length, 0], // GeogCitationGeoKey, in GeoAsciiParams
      [2054, 0, 1, 9102], // GeogAngularUnitsGeoKey = degree
    ],
  };
}

/** The image of a window: its inner pixels (the margin cropped). */
export function geoTiffFromWindow(window: RasterWindow): GeoTiffInt16 {
  const inner = cropMargin(window);
  const [minX, minY, maxX, maxY] = inner.bbox;
  return {
    width: inner.width,
    height: inner.height,
    data: inner.values,
    crs: inner.crs,
    west: minX,
    north: maxY,
    resolution: [(maxX - minX) / inner.width, (maxY - minY) / inner.height],
    nodata: inner.nodata,
  };
}

/** Everything the file's head describes: the image without its pixels. */
export type GeoTiffInt16Header = Omit<GeoTiffInt16, 'data'>;

/**
 * A file being written row by row, so a caller that produces its pixels in strips never holds
 * the whole image. The file is complete only after `close()` returned; after a failure (any
 * throw, `close()` included) it is incomplete and the caller removes it.
 */
export interface GeoTiffInt16Writer {
  /** Appends whole rows (row-major, host-endian), in order from the north, any number at once. */
  writeRows(rows: Int16Array): void;
  /** Closes the file; throws if it did not receive exactly `height` rows. */
  close(): void;
  /** Closes the file without checking it, after a failure; does nothing once closed. */
  abort(): void;
}

/** The whole file in memory (e.g. a WCS GetCoverage response). */
export function encodeGeoTiffInt16(image: GeoTiffInt16): Uint8Array {
  checkLength(image);
  const head = encodeHead(image);
  const file = new Uint8Array(head.length + image.data.byteLength);
  file.set(head, 0);
  file.set(littleEndianBytes(image.data), head.length);
  return file;
}

/** The file written to `path`, without assembling it in memory first. */
export function writeGeoTiffInt16(path: string, image: GeoTiffInt16): void {
  checkLength(image);
  const writer = openGeoTiffInt16Writer(path, image);
  try {
    writer.writeRows(image.data);
  } catch (error) {
    writer.abort();
    throw error;
  }
  writer.close();
}

/** Creates (or truncates) `path` and writes the head; the pixels follow with `writeRows`. */
export function openGeoTiffInt16Writer(
  path: string,
  header: GeoTiffInt16Header,
): GeoTiffInt16Writer {
  const { width, height } = header;
  const head = encodeHead(header); // before opening: a refused header leaves no file behind
  let fd: number | undefined = openSync(path, 'w');
  let rowsWritten = 0;
  // A mosaic runs to hundreds of megabytes: flushed as it goes, so little of it is dirty at once.
  const dirty = new DirtyBytes();
  const closeFile = () => {
    if (fd === undefined) return;
    const open = fd;
    fd = undefined;
    closeSync(open);
  };
  try {
    writeAll(fd, head);
  } catch (error) {
    closeFile();
    throw error;
  }
  return {
    writeRows(rows) {
      if (fd === undefined) throw new Error(`GeoTIFF ${path} is already closed`);
      if (rows.length % width !== 0) {
        throw new RangeError(`GeoTIFF rows of ${width} values cannot hold ${rows.length}`);
      }
      const count = rows.length / width;
      if (rowsWritten + count > height) {
        throw new RangeError(`GeoTIFF of ${height} rows given ${rowsWritten + count}`);
      }
      const bytes = littleEndianBytes(rows);
      writeAll(fd, bytes);
      if (dirty.add(bytes.length)) fdatasyncSync(fd);
      rowsWritten += count;
    },
    close() {
      if (fd !== undefined && rowsWritten === height && dirty.limit > 0) fdatasyncSync(fd);
      closeFile();
      if (rowsWritten !== height) {
        throw new Error(`GeoTIFF ${path} closed after ${rowsWritten} of ${height} rows`);
      }
    },
    abort: closeFile,
  };
}

function checkLength(image: GeoTiffInt16): void {
  const { width, height, data } = image;
  if (data.length !== width * height) {
    throw new RangeError(`GeoTIFF data has ${data.length} values, not ${width}×${height}`);
  }
}

/** Everything before the pixels: header, IFD and the tag values. */
function encodeHead(image: GeoTiffInt16Header): Buffer {
  const { width, height } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`GeoTIFF size ${width}×${height} is not a positive whole size`);
  }
  const { keys, ascii } = geoKeys(image.crs ?? 'EPSG:4326');
  const rowBytes = width * 2;
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(STRIP_BYTES / rowBytes)));
  const stripCount = Math.ceil(height / rowsPerStrip);
  const stripByteCounts = Array.from(
    { length: stripCount },
    (_, i) => Math.min(rowsPerStrip, height - i * rowsPerStrip) * rowBytes,
  );
  const tags: Tag[] = [
    { tag: 256, type: 'long', values: [width] }, // ImageWidth
    { tag: 257, type: 'long', values: [height] }, // ImageLength
    { tag: 258, type: 'short', values: [16] }, // BitsPerSample
    { tag: 259, type: 'short', values: [1] }, // Compression = none
    { tag: 262, type: 'short', values: [1] }, // PhotometricInterpretation = BlackIsZero
    { tag: 273, type: 'long', values: new Array<number>(stripCount).fill(0) }, // StripOffsets
    { tag: 277, type: 'short', values: [1] }, // SamplesPerPixel
    { tag: 278, type: 'long', values: [rowsPerStrip] }, // RowsPerStrip
    { tag: 279, type: 'long', values: stripByteCounts }, // StripByteCounts
    { tag: 284, type: 'short', values: [1] }, // PlanarConfiguration = contiguous
    { tag: 339, type: 'short', values: [2] }, // SampleFormat = signed integer
    { tag: 33550, type: 'double', values: [...image.resolution, 0] }, // ModelPixelScale
    { tag: 33922, type: 'double', values: [0, 0, 0, image.west, image.north, 0] }, // ModelTiepoint
    { tag: 34735, type: 'short', values: [1, 1, 0, keys.length, ...keys.flat()] },
    { tag: 34737, type: 'ascii', values: ascii }, // GeoAsciiParams
    { tag: 42113, type: 'ascii', values: String(image.nodata) }, // GDAL_NODATA
  ];

  // Lay out the values that do not fit in an entry's 4 bytes after the IFD, word-aligned.
  const ifdSize = 2 + tags.length * 12 + 4;
  let offset = 8 + ifdSize;
  const valueOffsets = tags.map((tag) => {
    const size = byteLength(tag);
    if (size <= 4) return -1;
    const at = offset;
    offset += size + (size % 2);
    return at;
  });
  const pixelOffset = offset + (offset % 2 === 0 ? 0 : 1);
  const fileSize = pixelOffset + rowBytes * height;
  if (fileSize >= 2 ** 32) throw new RangeError(`GeoTIFF of ${fileSize} bytes needs BigTIFF`);
  const stripOffsets = tags.find((tag) => tag.tag === 273)!;
  stripOffsets.values = stripByteCounts.map((_, i) => pixelOffset + i * rowsPerStrip * rowBytes);

  const head = Buffer.alloc(pixelOffset);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(8, 4); // first IFD
  head.writeUInt16LE(tags.length, 8);
  tags.forEach((tag, i) => {
    const entry = 10 + i * 12;
    head.writeUInt16LE(tag.tag, entry);
    head.writeUInt16LE(TYPE[tag.type], entry + 2);
    head.writeUInt32LE(count(tag), entry + 4);
    const at = valueOffsets[i]!;
    if (at >= 0) head.writeUInt32LE(at, entry + 8);
    writeValues(head, tag, at >= 0 ? at : entry + 8);
  });
  // The next-IFD offset after the entries stays 0: there is one image.
  return head;
}

/** ASCII values are NUL-terminated; the count includes the NUL. */
function count(tag: Tag): number {
  return typeof tag.values === 'string' ? tag.values.length + 1 : tag.values.length;
}

function byteLength(tag: Tag): number {
  return count(tag) * TYPE_SIZE[tag.type];
}

function writeValues(buffer: Buffer, tag: Tag, at: number): void {
  if (typeof tag.values === 'string') {
    buffer.write(`${tag.values}\0`, at, 'latin1');
    return;
  }
  tag.values.forEach((value, i) => {
    if (tag.type === 'short') buffer.writeUInt16LE(value, at + i * 2);
    else if (tag.type === 'long') buffer.writeUInt32LE(value, at + i * 4);
    else buffer.writeDoubleLE(value, at + i * 8);
  });
}

/** writeSync may write less than asked (a single write() is capped near 2 GiB). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
}

/** On a big-endian host, a swapped copy: the caller's values stay as they were. */
function littleEndianBytes(data: Int16Array): Uint8Array {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return endianness() === 'LE' ? bytes : Buffer.from(bytes).swap16();
}
