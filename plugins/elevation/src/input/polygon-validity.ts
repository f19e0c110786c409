/**
 * Whether one GeoJSON Polygon or MultiPolygon is valid in the sense of OGC Simple Features (the
 * rules GEOS's IsValid applies), and if not, what is wrong and where. Rings reaching here are
 * already closed, with at least 4 finite positions not all on one line (read-ring.ts). The rules:
 * - a ring may not cross or touch itself, nor double back along an edge (a spike); repeated
 *   consecutive positions are allowed and ignored;
 * - the rings of a polygon may touch at single points but not cross or share an edge, and the
 *   touches may not close a loop (the interior would fall apart in pieces);
 * - every hole lies inside its shell and inside no other hole;
 * - the polygons of a MultiPolygon may touch at points but their interiors may not overlap:
 *   their rings do not cross or share edges and no polygon lies inside another (outside its
 *   holes).
 * Coordinates are taken as written, in the client's CRS, as straight edges in that plane.
 *
 * Cost: the edges go into a packed R-tree (box-index.ts) and each edge is tested only against
 * the edges whose boxes meet its own, and containment is one ray per ring answered from the same
 * tree: O(n log n + P), P the number of edge pairs whose boxes meet, where testing every pair
 * (turf's kinks and booleanValid) is O(n²). P is about n for the outlines people draw, but a
 * dense zigzag of long edges (a star of 50 000 spikes) makes it quadratic, so P is capped at
 * `pairsPerEdge` × edges and a shape beyond it is refused as too intricate: the check costs at
 * most linear time times that constant.
 */
import type { Position } from 'geojson';
import { BoxIndex } from './box-index.ts';
import { orientation } from './orientation.ts';

export interface PolygonToCheck {
  rings: Position[][];
  /** 'ring 1 of polygon 2', for messages. */
  ringNames: string[];
  ringLocators: string[];
  /** 'polygon 2' (of a MultiPolygon), for messages about parts. */
  name: string;
  locator: string;
}

export interface Invalidity {
  /** 'invalid' can be repaired; 'too-intricate' ran out of the edge-pair budget. */
  kind: 'invalid' | 'too-intricate';
  message: string;
  locator: string;
}

interface Ring {
  polygon: number;
  /** Index within its polygon: 0 the shell, then holes. */
  index: number;
  points: Position[];
  name: string;
  locator: string;
}

type Contact = { kind: 'none' } | { kind: 'cross' | 'touch' | 'overlap'; at: Position };

const NONE: Contact = { kind: 'none' };

/** Edge pairs tested per edge, on average, before a shape is refused as too intricate. */
export const DEFAULT_PAIRS_PER_EDGE = 128;

export function findInvalidity(
  polygons: PolygonToCheck[],
  pairsPerEdge = DEFAULT_PAIRS_PER_EDGE,
): Invalidity | undefined {
  const rings: Ring[] = polygons.flatMap((polygon, p) =>
    polygon.rings.map((points, r) => ({
      polygon: p,
      index: r,
      points: withoutRepeats(points),
      name: polygon.ringNames[r]!,
      locator: polygon.ringLocators[r]!,
    })),
  );
  const segments = segmentsOf(rings);
  const index = new BoxIndex(segments.boxes);
  const touches = new TouchGraph();
  const budget = { left: Math.max(1, segments.count) * pairsPerEdge };
  const tooIntricate: Invalidity = {
    kind: 'too-intricate',
    message: `the area's outline is too intricate to check: its ${segments.count} edges have more than ${pairsPerEdge} neighbouring edges each on average (simplify it)`,
    locator: polygons[0]?.locator ?? 'geometry',
  };

  let found: Invalidity | undefined;
  for (let s = 0; s < segments.count && found === undefined; s++) {
    const b = segments.boxes;
    index.search(b[s * 4]!, b[s * 4 + 1]!, b[s * 4 + 2]!, b[s * 4 + 3]!, (t) => {
      if (t <= s) return false;
      if (--budget.left < 0) found = tooIntricate;
      else found = judgeContact(s, t, segments, rings, polygons, touches);
      return found !== undefined;
    });
  }
  return (
    found ?? findMisplacedRings(rings, polygons, segments, index, touches, budget) ?? undefined
  );
}

/** Consecutive equal positions collapsed: they are allowed and carry no edge. */
function withoutRepeats(ring: Position[]): Position[] {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]);
}

interface Segments {
  count: number;
  boxes: Float64Array;
  ring: Uint32Array;
  /** Edge number within its ring: edge i runs from point i to point i + 1. */
  edge: Uint32Array;
}

function segmentsOf(rings: Ring[]): Segments {
  const count = rings.reduce((n, ring) => n + ring.points.length - 1, 0);
  const segments = {
    count,
    boxes: new Float64Array(count * 4),
    ring: new Uint32Array(count),
    edge: new Uint32Array(count),
  };
  let s = 0;
  rings.forEach(({ points }, r) => {
    for (let i = 0; i + 1 < points.length; i++, s++) {
      const [ax, ay] = points[i] as [number, number];
      const [bx, by] = points[i + 1] as [number, number];
      segments.boxes.set(
        [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)],
        s * 4,
      );
      segments.ring[s] = r;
      segments.edge[s] = i;
    }
  });
  return segments;
}

function judgeContact(
  s: number,
  t: number,
  segments: Segments,
  rings: Ring[],
  polygons: PolygonToCheck[],
  touches: TouchGraph,
): Invalidity | undefined {
  const ringA = rings[segments.ring[s]!]!;
  const ringB = rings[segments.ring[t]!]!;
  const i = segments.edge[s]!;
  const j = segments.edge[t]!;
  const contact = contactOf(
    ringA.points[i]!,
    ringA.points[i + 1]!,
    ringB.points[j]!,
    ringB.points[j + 1]!,
  );
  if (contact.kind === 'none') return undefined;
  const at = showPoint(contact.at);

  if (ringA === ringB) {
    const edges = ringA.points.length - 1;
    const adjacent = j - i === 1 || (i === 0 && j === edges - 1);
    if (adjacent && contact.kind === 'touch') return undefined;
    const how =
      contact.kind === 'cross'
        ? 'two of its edges cross'
        : adjacent
          ? 'it doubles back along its own edge (a spike)'
          : contact.kind === 'overlap'
            ? 'two of its edges overlap'
            : 'it touches itself';
    return {
      kind: 'invalid',
      message: `${ringA.name} has a self-intersection at ${at}: ${how}`,
      locator: ringA.locator,
    };
  }

  if (ringA.polygon !== ringB.polygon) {
    if (contact.kind === 'touch') {
      touches.points.add(`${contact.at[0]},${contact.at[1]}`);
      return undefined;
    }
    const [first, second] = [polygons[ringA.polygon]!, polygons[ringB.polygon]!];
    const how = contact.kind === 'cross' ? 'their boundaries cross' : 'they share an edge';
    return {
      kind: 'invalid',
      message: `${first.name} and ${second.name} of the MultiPolygon overlap: ${how} at ${at}`,
      locator: second.locator,
    };
  }

  if (contact.kind === 'cross') {
    return {
      kind: 'invalid',
      message: `${ringA.name} and ${ringB.name} cross at ${at}`,
      locator: ringB.locator,
    };
  }
  if (contact.kind === 'overlap') {
    return {
      kind: 'invalid',
      message: `${ringA.name} and ${ringB.name} share an edge at ${at}`,
      locator: ringB.locator,
    };
  }
  if (touches.add(segments.ring[s]!, segments.ring[t]!, ringA.polygon, contact.at)) {
    return {
      kind: 'invalid',
      message: `the interior of ${polygons[ringA.polygon]!.name} is split in pieces: ${ringA.name} and ${ringB.name} touch at ${at}, closing a loop of touching rings`,
      locator: ringB.locator,
    };
  }
  return undefined;
}

/** How edge a→b meets edge c→d. */
export function contactOf(a: Position, b: Position, c: Position, d: Position): Contact {
  const [ax, ay] = a as [number, number];
  const [bx, by] = b as [number, number];
  const [cx, cy] = c as [number, number];
  const [dx, dy] = d as [number, number];
  const c1 = orientation(ax, ay, bx, by, cx, cy);
  const d1 = orientation(ax, ay, bx, by, dx, dy);
  if (c1 * d1 > 0) return NONE;
  const a2 = orientation(cx, cy, dx, dy, ax, ay);
  const b2 = orientation(cx, cy, dx, dy, bx, by);
  if (a2 * b2 > 0) return NONE;
  if (c1 === 0 && d1 === 0) return collinearContact(a, b, c, d);
  if (c1 !== 0 && d1 !== 0 && a2 !== 0 && b2 !== 0) {
    const t =
      ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) /
      ((bx - ax) * (dy - cy) - (by - ay) * (dx - cx));
    return { kind: 'cross', at: [ax + t * (bx - ax), ay + t * (by - ay)] };
  }
  // One end lies on the other edge.
  const at = c1 === 0 ? c : d1 === 0 ? d : a2 === 0 ? a : b;
  return { kind: 'touch', at };
}

/** Two edges on one line: apart, meeting at an end, or sharing a stretch. */
function collinearContact(a: Position, b: Position, c: Position, d: Position): Contact {
  const axis = Math.abs(b[0]! - a[0]!) >= Math.abs(b[1]! - a[1]!) ? 0 : 1;
  const along = (p: Position) => p[axis]!;
  const [lowAB, highAB] = along(a) <= along(b) ? [a, b] : [b, a];
  const [lowCD, highCD] = along(c) <= along(d) ? [c, d] : [d, c];
  const low = along(lowAB) >= along(lowCD) ? lowAB : lowCD;
  const high = along(highAB) <= along(highCD) ? highAB : highCD;
  if (along(low) > along(high)) return NONE;
  return { kind: along(low) === along(high) ? 'touch' : 'overlap', at: low };
}

/**
 * Rings and touch points as nodes, each touch an edge between a ring and a point: a cycle means
 * the touches cut the polygon's interior apart (two rings touching twice, or a chain of holes
 * from shell back to shell), while several rings meeting at one point do not.
 */
class TouchGraph {
  readonly #parent = new Map<string, string>();
  readonly #edges = new Set<string>();
  readonly points = new Set<string>();

  /** Records that ring `a` and ring `b` touch at `at`; true when that closes a loop. */
  add(a: number, b: number, polygon: number, at: Position): boolean {
    const point = `${polygon}|${at[0]},${at[1]}`;
    this.points.add(`${at[0]},${at[1]}`);
    for (const ring of [a, b]) {
      const edge = `${ring}|${point}`;
      if (this.#edges.has(edge)) continue;
      this.#edges.add(edge);
      const [x, y] = [this.#find(`r${ring}`), this.#find(point)];
      if (x === y) return true;
      this.#parent.set(x, y);
    }
    return false;
  }

  #find(node: string): string {
    let root = node;
    while (this.#parent.has(root)) root = this.#parent.get(root)!;
    for (let n = node; n !== root;) {
      const next = this.#parent.get(n)!;
      this.#parent.set(n, root);
      n = next;
    }
    return root;
  }
}

/** Holes outside their shell or inside another hole; polygons inside one another. */
function findMisplacedRings(
  rings: Ring[],
  polygons: PolygonToCheck[],
  segments: Segments,
  index: BoxIndex,
  touches: TouchGraph,
  budget: { left: number },
): Invalidity | undefined {
  const shells = new Map<number, number>();
  rings.forEach((ring, r) => ring.index === 0 && shells.set(ring.polygon, r));
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    const probe = ring.points.find((p) => !touches.points.has(`${p[0]},${p[1]}`));
    if (probe === undefined) continue;
    const around = ringsAround(probe, rings, segments, index, budget);
    if (around === undefined) {
      return {
        kind: 'too-intricate',
        message: `the area's outline is too intricate to check: it has too many edges east of ${showPoint(probe)} (simplify it)`,
        locator: ring.locator,
      };
    }
    around.delete(r);
    if (ring.index > 0) {
      const shell = rings[shells.get(ring.polygon)!]!;
      if (!around.has(shells.get(ring.polygon)!)) {
        return {
          kind: 'invalid',
          message: `${ring.name} is a hole outside its shell (${shell.name}): its point ${showPoint(probe)} is not inside it`,
          locator: ring.locator,
        };
      }
      const outer = [...around].find(
        (o) => rings[o]!.polygon === ring.polygon && rings[o]!.index > 0,
      );
      if (outer !== undefined) {
        return {
          kind: 'invalid',
          message: `${ring.name} is a hole inside another hole (${rings[outer]!.name}) at ${showPoint(probe)}`,
          locator: ring.locator,
        };
      }
      continue;
    }
    for (const [p, shell] of shells) {
      if (p === ring.polygon || !around.has(shell)) continue;
      const inHole = [...around].some((o) => rings[o]!.polygon === p && rings[o]!.index > 0);
      if (!inHole) {
        return {
          kind: 'invalid',
          message: `${polygons[ring.polygon]!.name} and ${polygons[p]!.name} of the MultiPolygon overlap: ${polygons[ring.polygon]!.name} lies inside ${polygons[p]!.name} (at ${showPoint(probe)})`,
          locator: polygons[ring.polygon]!.locator,
        };
      }
    }
  }
  return undefined;
}

/** The rings that enclose a point: those an eastward ray from it crosses an odd number of times. */
function ringsAround(
  point: Position,
  rings: Ring[],
  segments: Segments,
  index: BoxIndex,
  budget: { left: number },
): Set<number> | undefined {
  const [px, py] = point as [number, number];
  const odd = new Set<number>();
  const exhausted = index.search(px, py, Infinity, py, (s) => {
    if (--budget.left < 0) return true;
    const ring = rings[segments.ring[s]!]!;
    const [ax, ay] = ring.points[segments.edge[s]!] as [number, number];
    const [bx, by] = ring.points[segments.edge[s]! + 1] as [number, number];
    // Half-open in y, so a ray through a vertex counts it once.
    if (ay > py === by > py) return;
    const side = orientation(ax, ay, bx, by, px, py);
    // The crossing lies east of the point when the point is left of an upward edge (or right of a downward one).
    if ((by > ay && side > 0) || (by < ay && side < 0)) {
      const r = segments.ring[s]!;
      if (odd.has(r)) odd.delete(r);
      else odd.add(r);
    }
    return false;
  });
  return exhausted ? undefined : odd;
}

function showPoint(p: Position): string {
  const show = (n: number) => String(Number(n.toFixed(7)) || 0);
  return `${show(p[0]!)},${show(p[1]!)}`;
}
