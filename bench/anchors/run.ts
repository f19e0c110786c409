/**
 * Relief side by side with QGIS Server 3.22 and MapServer 8 on the same data, the same machine
 * and the same seeded GetMap requests: the anchors of ../shared/bench-anchors (Debian packages,
 * so not part of CI). It copies the anchors to a work folder, sets them up (apt-get when their
 * packages are missing, then the four synthetic SRTM1 tiles), starts Relief over the same tiles
 * with 2 pool threads (the anchors run 2 FastCGI workers), runs the anchors' compare.sh for each
 * comparison (interleaved rounds, medians) and prints the ratios; --write-docs puts them in
 * docs/performance.md between the bench:anchors markers, with the command and the date.
 *
 *   npm run bench:anchors -- [--rounds 3] [--duration 15s] [--only main,single,v111,epsg3857,512]
 *                            [--work /tmp/relief-bench-anchors] [--anchors ../shared/bench-anchors]
 *                            [--write-docs]
 *
 * Also compares Relief's maps of the anchors' verify bbox with their reference images (the
 * differences are explained in docs/performance.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startRelief, type BenchServer } from '../lib/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    anchors: { type: 'string', default: resolve(ROOT, '../shared/bench-anchors') },
    work: { type: 'string', default: '/tmp/relief-bench-anchors' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '15s' },
    'variant-duration': { type: 'string', default: '10s' },
    warmup: { type: 'string', default: '5s' },
    only: { type: 'string', default: 'main,single,v111,epsg3857,512' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const WORK = resolve(values.work);
const ANCHORS = join(WORK, 'anchors');
const ROUNDS = values.rounds;
const ONLY = new Set(values.only.split(','));

type Anchor = 'qgis' | 'mapserver';
const ANCHOR_URL: Record<Anchor, string> = {
  qgis: 'http://127.0.0.1:8091/ows',
  mapserver: 'http://127.0.0.1:8092/ows',
};

interface Comparison {
  id: string;
  title: string;
  env: Record<string, string>;
  /** Scenarios per anchor: MapServer has no hillshade renderer. */
  qgis: string;
  mapserver: string;
}

const ALL_COMPARISONS: Comparison[] = [
  {
    id: 'main',
    title: 'WMS 1.3.0, EPSG:4326, 256² PNG, 2 wrk threads × 8 connections',
    env: { DURATION: values.duration },
    qgis: 'caps getmap-dem getmap-hillshade',
    mapserver: 'caps getmap-dem',
  },
  {
    id: 'single',
    title: 'One request at a time (1 connection), WMS 1.3.0, 256² PNG',
    env: { THREADS: '1', CONNS: '1', DURATION: values['variant-duration'] },
    qgis: 'getmap-dem getmap-hillshade',
    mapserver: 'getmap-dem',
  },
  {
    id: 'v111',
    title: 'WMS 1.1.1 (SRS, lon/lat order), 256² PNG',
    env: { WMS_VERSION: '1.1.1', DURATION: values['variant-duration'] },
    qgis: 'getmap-dem getmap-hillshade',
    mapserver: 'getmap-dem',
  },
  {
    id: 'epsg3857',
    title: 'WMS 1.3.0, EPSG:3857 boxes, 256² PNG',
    env: { CRS: 'EPSG:3857', DURATION: values['variant-duration'] },
    qgis: 'getmap-dem getmap-hillshade',
    mapserver: 'getmap-dem',
  },
  {
    id: '512',
    title: 'WMS 1.3.0, EPSG:4326, 512² PNG',
    env: { WIDTH: '512', HEIGHT: '512', DURATION: values['variant-duration'] },
    qgis: 'getmap-dem getmap-hillshade',
    mapserver: 'getmap-dem',
  },
];
const COMPARISONS = ALL_COMPARISONS.filter((comparison) => ONLY.has(comparison.id));

interface Row {
  scenario: string;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

function sh(command: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, {
    cwd: ANCHORS,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}`);
  }
  return result.stdout;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** The anchors copied to the work folder (data kept between runs), set up, wrk taught EPSG:3857. */
function prepareAnchors(): void {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(ANCHORS)) cpSync(values.anchors, WORK, { recursive: true });
  const installed = ['qgis_mapserv.fcgi', 'mapserv', 'wrk', 'nginx', 'spawn-fcgi'].every(
    (name) => hasCommand(name) || existsSync(`/usr/lib/cgi-bin/${name}`),
  );
  console.log(`== setting up the anchors in ${ANCHORS}${installed ? ' (packages present)' : ''}`);
  sh('./setup.sh', [], installed ? { SKIP_APT: '1' } : {});
  const lua = join(ANCHORS, 'wms.lua');
  const script = readFileSync(lua, 'utf8');
  if (!script.includes('EPSG:3857')) {
    // The same boxes as for EPSG:4326, projected: CRS=EPSG:3857 from the environment.
    const patched = script.replace(
      '    if ver == "1.3.0" then',
      `    if env("CRS", "EPSG:4326") == "EPSG:3857" then
      local function mx(lon) return lon * 20037508.342789244 / 180 end
      local function my(lat) return math.log(math.tan((90 + lat) * math.pi / 360)) * 6378137 end
      q = string.format("&%s=EPSG:3857&BBOX=%.2f,%.2f,%.2f,%.2f", ver == "1.3.0" and "CRS" or "SRS",
        mx(x0), my(y0), mx(x0 + s), my(y0 + s))
    elseif ver == "1.3.0" then`,
    );
    if (patched === script) throw new Error('wms.lua changed: cannot add EPSG:3857 boxes');
    writeFileSync(lua, patched);
  }
}

/** Relief's project over the anchors' tiles, in the skadi layout its hgt-folder source reads. */
function reliefProject(): string {
  const dir = join(WORK, 'relief');
  for (const [folder, tiles] of [
    ['N46', ['N46E007', 'N46E008']],
    ['N47', ['N47E007', 'N47E008']],
  ] as const) {
    mkdirSync(join(dir, 'tiles', folder), { recursive: true });
    for (const tile of tiles) {
      const link = join(dir, 'tiles', folder, `${tile}.hgt`);
      if (!existsSync(link)) symlinkSync(join(WORK, 'data', `${tile}.hgt`), link);
    }
  }
  const project = join(dir, 'project.yaml');
  writeFileSync(
    project,
    [
      'title: SRTM anchors',
      'layers:',
      '  - { name: dem, title: DEM, kind: raster, source: { type: hgt-folder, path: tiles }, style: grey }',
      '  - { name: hillshade, title: Hillshade, kind: raster, source: { type: hgt-folder, path: tiles }, style: hillshade }',
      '',
    ].join('\n'),
  );
  return project;
}

function compare(comparison: Comparison, anchor: Anchor, relief: string): Row[] {
  const out = join(WORK, 'results', `${comparison.id}-${anchor}-${Date.now()}`);
  console.log(`== ${comparison.title}: relief vs ${anchor} (${ROUNDS} rounds)`);
  const stdout = sh('./compare.sh', [`relief=${relief}/ows`, `${anchor}=${ANCHOR_URL[anchor]}`], {
    ROUNDS,
    SCENARIOS: comparison[anchor],
    CMP_OUT: out,
    WARMUP: values.warmup,
    ...comparison.env,
  });
  process.stdout.write(
    stdout
      .split('\n')
      .filter((line) => line.startsWith('== round'))
      .join('\n') + '\n',
  );
  return parseSummary(readFileSync(join(out, 'summary.txt'), 'utf8'));
}

/** compare.sh's summary: scenario, server, n, req/s, p50 ms, p99 ms, B/req, × first, rounds… */
function parseSummary(text: string): Row[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length >= 8)
    .map(([scenario, server, , rps, p50, p99, bytes]) => ({
      scenario: scenario!,
      server: server!,
      rps: Number(rps),
      p50: Number(p50),
      p99: Number(p99),
      bytes: Number(bytes),
    }));
}

interface Result {
  comparison: Comparison;
  rows: Row[];
}

function table(result: Result): string[] {
  const scenarios = [...new Set(result.rows.map((row) => row.scenario))];
  const find = (scenario: string, server: string) =>
    result.rows.find((row) => row.scenario === scenario && row.server === server);
  // A scenario run twice (against both anchors) has two Relief medians: both are shown.
  const lines = [
    `**${result.comparison.title}**`,
    '',
    '| scenario | Relief req/s | QGIS | MapServer | Relief ÷ QGIS | Relief ÷ MapServer | p50 ms Relief / QGIS / MapServer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const scenario of scenarios) {
    const reliefs = result.rows.filter(
      (row) => row.scenario === scenario && row.server.startsWith('relief'),
    );
    const qgis = find(scenario, 'qgis');
    const mapserver = find(scenario, 'mapserver');
    const reliefQ = result.rows.find(
      (row) => row.scenario === scenario && row.server === 'relief-q',
    );
    const reliefM = result.rows.find(
      (row) => row.scenario === scenario && row.server === 'relief-m',
    );
    const ratio = (a: Row | undefined, b: Row | undefined) =>
      a !== undefined && b !== undefined ? `${(a.rps / b.rps).toFixed(2)}×` : '—';
    lines.push(
      `| ${scenario} | ${reliefs.map((r) => r.rps.toFixed(1)).join(' / ')} | ${qgis?.rps.toFixed(1) ?? '—'} | ` +
        `${mapserver?.rps.toFixed(1) ?? '—'} | ${ratio(reliefQ, qgis)} | ${ratio(reliefM, mapserver)} | ` +
        `${reliefs.map((r) => r.p50.toFixed(2)).join(' / ')} / ${qgis?.p50.toFixed(2) ?? '—'} / ${mapserver?.p50.toFixed(2) ?? '—'} |`,
    );
  }
  return lines;
}

/** Checks of the targets on the results at hand. */
function targets(results: Result[]): string[] {
  const lines: string[] = [];
  for (const { comparison, rows } of results) {
    const get = (scenario: string, server: string) =>
      rows.find((row) => row.scenario === scenario && row.server === server);
    const check = (
      label: string,
      value: number | undefined,
      goal: number,
      unit: string,
      atMost = false,
    ) => {
      if (value === undefined || !Number.isFinite(value)) return;
      const met = atMost ? value <= goal : value >= goal;
      lines.push(
        `- ${comparison.id}: ${label} ${value.toFixed(2)}${unit} (target ${atMost ? '≤' : '≥'} ${goal}${unit}): ${met ? 'met' : 'NOT met'}`,
      );
    };
    const hq = get('getmap-hillshade', 'relief-q');
    const q = get('getmap-hillshade', 'qgis');
    const dm = get('getmap-dem', 'relief-m');
    const m = get('getmap-dem', 'mapserver');
    if (comparison.id === 'single') {
      check('hillshade p50', hq?.p50, 4, ' ms', true);
      check('dem p50', dm?.p50, 4, ' ms', true);
    } else {
      check('hillshade Relief ÷ QGIS', hq && q ? hq.rps / q.rps : undefined, 3, '×');
      check('dem Relief ÷ MapServer', dm && m ? dm.rps / m.rps : undefined, 2, '×');
    }
  }
  return lines;
}

/** Relief's maps of the anchors' verify bbox against the reference images, grey levels. */
async function imageDifferences(relief: string): Promise<string[]> {
  const query =
    'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:4326&BBOX=46.4,7.4,46.6,7.6' +
    '&WIDTH=256&HEIGHT=256&FORMAT=image/png&LAYERS=';
  const grey = async (bytes: Buffer) => sharp(bytes).greyscale().raw().toBuffer();
  const lines: string[] = [];
  for (const [layer, reference, map] of [
    ['hillshade', 'qgis-getmap-hillshade.png', (v: number) => v],
    // Relief's grey stretch is -100…4500 m, the anchors' 200…4500 m: Relief's level mapped onto theirs.
    ['dem', 'qgis-getmap-dem.png', (v: number) => (255 * ((v * 4600) / 255 - 100 - 200)) / 4300],
    [
      'dem',
      'mapserver-getmap-dem.png',
      (v: number) => (255 * ((v * 4600) / 255 - 100 - 200)) / 4300,
    ],
  ] as const) {
    const response = await fetch(`${relief}/ows?${query}${layer}`);
    const ours = await grey(Buffer.from(await response.arrayBuffer()));
    const theirs = await grey(readFileSync(join(ANCHORS, 'reference', reference)));
    let sum = 0;
    let max = 0;
    let within = 0;
    for (let i = 0; i < ours.length; i++) {
      const difference = Math.abs(Math.max(0, Math.min(255, map(ours[i]!))) - theirs[i]!);
      sum += difference;
      max = Math.max(max, difference);
      if (difference <= 8) within++;
    }
    lines.push(
      `- ${layer} vs ${reference}: mean ${(sum / ours.length).toFixed(2)} grey levels, ` +
        `max ${Math.round(max)}, ${((100 * within) / ours.length).toFixed(1)} % of pixels within 8 levels`,
    );
  }
  return lines;
}

function writeDocs(section: string): void {
  const path = join(ROOT, 'docs/performance.md');
  const docs = readFileSync(path, 'utf8');
  const start = '<!-- bench:anchors:start -->';
  const end = '<!-- bench:anchors:end -->';
  const a = docs.indexOf(start);
  const b = docs.indexOf(end);
  if (a === -1 || b === -1) throw new Error(`docs/performance.md has no ${start} … ${end} markers`);
  writeFileSync(path, docs.slice(0, a + start.length) + '\n' + section + '\n' + docs.slice(b));
}

async function main(): Promise<void> {
  prepareAnchors();
  const project = reliefProject();
  let relief: BenchServer | undefined;
  try {
    sh('./start-qgis.sh', []);
    sh('./start-mapserver.sh', []);
    relief = await startRelief({
      env: {
        RELIEF_WORKERS: '2',
        RELIEF_LOG_LEVEL: 'warn',
        RELIEF_PROJECT: project,
        RELIEF_DATA_DIR: join(WORK, 'relief', 'data'),
      },
    });
    const started = new Date();
    // The code measured is the code at the start: commits during a 30-minute run do not count.
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
    const results: Result[] = [];
    for (const comparison of COMPARISONS) {
      const rows: Row[] = [];
      for (const anchor of ['qgis', 'mapserver'] as const) {
        const suffix = anchor === 'qgis' ? 'relief-q' : 'relief-m';
        for (const row of compare(comparison, anchor, relief.base)) {
          rows.push(row.server === 'relief' ? { ...row, server: suffix } : row);
        }
      }
      results.push({ comparison, rows });
      console.log(table({ comparison, rows }).join('\n') + '\n');
    }
    const differences = await imageDifferences(relief.base);
    const section = [
      `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${cpus().length} cores, ` +
        `load average before ${load}; ${ROUNDS} interleaved rounds per comparison, medians. Command:`,
      '',
      '```sh',
      `npm run bench:anchors -- --rounds ${ROUNDS} --duration ${values.duration} --only ${values.only}${values['write-docs'] ? ' --write-docs' : ''}`,
      '```',
      '',
      ...results.flatMap((result) => [...table(result), '']),
      'Targets (issue 9):',
      '',
      ...targets(results),
      '',
      "Maps of the anchors' verify box (46.4–46.6 N, 7.4–7.6 E, 256²) against their reference images:",
      '',
      ...differences,
    ].join('\n');
    console.log(section);
    if (values['write-docs']) writeDocs(section);
  } finally {
    await relief?.stop();
    for (const script of ['./stop-mapserver.sh', './stop-qgis.sh']) {
      spawnSync(script, [], { cwd: ANCHORS, stdio: 'ignore' });
    }
  }
}

await main();
