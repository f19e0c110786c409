/**
 * A vector layer's data cannot be read (missing file, invalid GeoJSON, unsupported source).
 * The message names paths, so services log it and answer with a message of their own.
 */
export class VectorSourceError extends Error {
  override readonly name = 'VectorSourceError';
}
