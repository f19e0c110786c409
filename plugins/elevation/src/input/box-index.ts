/**
 * A static packed R-tree of boxes (sort-tile-recursive), built once in O(n log n), answering
 * "which boxes meet this box" in O(log n + answers). The validity checks use it so that finding
 * the edges that may touch each other costs about n log n for the shapes people draw, where
 * testing every pair of edges (turf's kinks) costs n²: 5·10⁹ tests for 100 000 vertices.
 */

const NODE_SIZE = 16;

export class BoxIndex {
  /** minX, minY, maxX, maxY of every node, leaves (the items, in packed order) first. */
  readonly #boxes: Float64Array;
  /** For a leaf: the item's number; for an inner node: the first child's node number. */
  readonly #refs: Uint32Array;
  /** Node number where each level starts; the last level is the root alone. */
  readonly #levels: number[] = [];
  readonly #count: number;

  /** `boxes` holds minX, minY, maxX, maxY for each item. */
  constructor(boxes: Float64Array) {
    const count = boxes.length / 4;
    this.#count = count;
    let nodes = count;
    for (let n = count; n > 1;) {
      n = Math.ceil(n / NODE_SIZE);
      nodes += n;
    }
    this.#boxes = new Float64Array(Math.max(nodes, 1) * 4);
    this.#refs = new Uint32Array(Math.max(nodes, 1));
    const order = packedOrder(boxes, count);
    order.forEach((item, slot) => {
      this.#boxes.set(boxes.subarray(item * 4, item * 4 + 4), slot * 4);
      this.#refs[slot] = item;
    });
    let start = 0;
    let size = count;
    this.#levels.push(0);
    while (size > 1) {
      const next = start + size;
      const parents = Math.ceil(size / NODE_SIZE);
      for (let p = 0; p < parents; p++) {
        const first = start + p * NODE_SIZE;
        const last = Math.min(first + NODE_SIZE, next);
        const box = [Infinity, Infinity, -Infinity, -Infinity];
        for (let c = first; c < last; c++) {
          box[0] = Math.min(box[0]!, this.#boxes[c * 4]!);
          box[1] = Math.min(box[1]!, this.#boxes[c * 4 + 1]!);
          box[2] = Math.max(box[2]!, this.#boxes[c * 4 + 2]!);
          box[3] = Math.max(box[3]!, this.#boxes[c * 4 + 3]!);
        }
        this.#boxes.set(box, (next + p) * 4);
        this.#refs[next + p] = first;
      }
      this.#levels.push(next);
      start = next;
      size = parents;
    }
  }

  /** Calls `visit` with each item whose box meets the given box; stops when it returns true. */
  search(
    minX: number,
    minY: number,
    maxX: number,
    maxY: number,
    visit: (item: number) => boolean | void,
  ): boolean {
    if (this.#count === 0) return false;
    // Depth-first over [node, level] pairs from the root.
    const stack: number[] = [this.#levels[this.#levels.length - 1]!, this.#levels.length - 1];
    while (stack.length > 0) {
      const level = stack.pop()!;
      const node = stack.pop()!;
      const b = this.#boxes;
      if (b[node * 4]! > maxX || b[node * 4 + 1]! > maxY) continue;
      if (b[node * 4 + 2]! < minX || b[node * 4 + 3]! < minY) continue;
      if (level === 0) {
        if (visit(this.#refs[node]!) === true) return true;
        continue;
      }
      const first = this.#refs[node]!;
      const end = Math.min(first + NODE_SIZE, this.#levels[level]!);
      for (let child = first; child < end; child++) stack.push(child, level - 1);
    }
    return false;
  }
}

/** Sort-tile-recursive order: vertical slices by centre x, each sorted by centre y. */
function packedOrder(boxes: Float64Array, count: number): number[] {
  const centreX = (i: number) => boxes[i * 4]! + boxes[i * 4 + 2]!;
  const centreY = (i: number) => boxes[i * 4 + 1]! + boxes[i * 4 + 3]!;
  const items = Array.from({ length: count }, (_, i) => i).sort((a, b) => centreX(a) - centreX(b));
  const leaves = Math.ceil(count / NODE_SIZE);
  const sliceSize = Math.ceil(count / Math.ceil(Math.sqrt(leaves))) || 1;
  const order: number[] = [];
  for (let s = 0; s < count; s += sliceSize) {
    order.push(...items.slice(s, s + sliceSize).sort((a, b) => centreY(a) - centreY(b)));
  }
  return order;
}
