/**
 * Turns a stream of small strings (one per feature) into response chunks of a bounded size, so
 * a GetFeature response is produced piece by piece as the client reads it: the request loop
 * pulls the next chunk only when the socket can take it, and each chunk passes through the
 * sendResponse filters. Pieces are gathered until about TARGET characters, then encoded and
 * cut into chunks of at most MAX_CHUNK_BYTES (a single huge feature is split too).
 */
export const TARGET_CHUNK_CHARS = 64 * 1024;
export const MAX_CHUNK_BYTES = 256 * 1024;

export async function* chunked(
  pieces: AsyncIterable<string> | Iterable<string>,
  target = TARGET_CHUNK_CHARS,
  max = MAX_CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let length = 0;
  for await (const piece of pieces) {
    pending.push(piece);
    length += piece.length;
    if (length < target) continue;
    yield* split(Buffer.from(pending.join('')), max);
    pending = [];
    length = 0;
  }
  if (pending.length > 0) yield* split(Buffer.from(pending.join('')), max);
}

function* split(buffer: Buffer, max: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += max) {
    yield buffer.subarray(offset, offset + max);
  }
}
