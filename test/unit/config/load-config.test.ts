import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { describeConfig, loadConfig } from '../../../src/config/load-config.ts';

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

describe('loadConfig', () => {
  it('uses embedded defaults', () => {
    const { settings, sources } = loadConfig(env({}));
    expect(settings).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dataDir: './data',
      pluginsPath: ['./plugins'],
      logLevel: 'info',
      strictPlugins: false,
      shutdownTimeout: 10,
    });
    expect(settings.workers).toBeGreaterThan(0);
    expect(sources.port).toBe('default');
  });

  it('reads environment variables, with `:`-separated plugin folders', () => {
    const { settings, sources } = loadConfig(
      env({
        PORT: '9000',
        RELIEF_PLUGINS_PATH: '/a:/b',
        RELIEF_STRICT_PLUGINS: 'yes',
        RELIEF_PUBLIC_URL: 'https://maps.example.org/',
      }),
    );
    expect(settings.port).toBe(9000);
    expect(settings.pluginsPath).toEqual(['/a', '/b']);
    expect(settings.strictPlugins).toBe(true);
    expect(settings.publicUrl).toBe('https://maps.example.org');
    expect(sources.port).toBe('environment');
  });

  it('reads a YAML or JSON file; the environment wins over it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relief-config-'));
    const yaml = join(dir, 'relief.yaml');
    await writeFile(yaml, 'port: 7000\nlogLevel: debug\nplugins:\n  hello:\n    greeting: Hi\n');
    const fromFile = loadConfig(env({ RELIEF_CONFIG: yaml, RELIEF_LOG_LEVEL: 'warn' }));
    expect(fromFile.settings.port).toBe(7000);
    expect(fromFile.sources.port).toBe('file');
    expect(fromFile.settings.logLevel).toBe('warn');
    expect(fromFile.sources.logLevel).toBe('environment');
    expect(fromFile.pluginConfig).toEqual({ hello: { greeting: 'Hi' } });
    expect(describeConfig(fromFile).port).toEqual({ value: 7000, source: 'file', env: 'PORT' });
    const json = join(dir, 'relief.json');
    await writeFile(json, JSON.stringify({ workers: 3 }));
    expect(loadConfig(env({ RELIEF_CONFIG: json })).settings.workers).toBe(3);
  });

  it('puts packaged defaults (the image’s) under the config file and the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relief-config-'));
    const packaged = join(dir, 'relief.defaults.yaml');
    await writeFile(packaged, 'dataDir: /data\nport: 8080\nlogLevel: warn\n');
    const file = join(dir, 'relief.yaml');
    await writeFile(file, 'dataDir: /srv/relief\n');
    const alone = loadConfig(env({}), {}, { packagedDefaults: packaged });
    expect(alone.settings.dataDir).toBe('/data');
    expect(alone.sources.dataDir).toBe('packaged');
    const layered = loadConfig(
      env({ RELIEF_CONFIG: file, PORT: '9000' }),
      {},
      { packagedDefaults: packaged },
    );
    expect(layered.settings).toMatchObject({
      dataDir: '/srv/relief',
      port: 9000,
      logLevel: 'warn',
    });
    expect(layered.sources).toMatchObject({
      dataDir: 'file',
      port: 'environment',
      logLevel: 'packaged',
      host: 'default',
    });
    // No packaged file (the repository): embedded defaults.
    expect(
      loadConfig(env({}), {}, { packagedDefaults: join(dir, 'absent.yaml') }).settings.dataDir,
    ).toBe('./data');
  });

  it('names the packaged defaults file when it is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relief-config-'));
    const packaged = join(dir, 'relief.defaults.yaml');
    await writeFile(packaged, 'port: lots\n');
    expect(() => loadConfig(env({}), {}, { packagedDefaults: packaged })).toThrow(
      `Invalid setting "port" in ${packaged}="lots"`,
    );
    await writeFile(packaged, 'plugins: {}\n');
    expect(() => loadConfig(env({}), {}, { packagedDefaults: packaged })).toThrow(
      `Unknown setting "plugins" in ${packaged}`,
    );
  });

  it('reads the pool threads’ young generation (MiB), 8 by default', () => {
    expect(loadConfig(env({})).settings.workerYoungGenerationMb).toBe(8);
    expect(
      loadConfig(env({ RELIEF_WORKER_YOUNG_GENERATION_MB: '32' })).settings.workerYoungGenerationMb,
    ).toBe(32);
    expect(() => loadConfig(env({ RELIEF_WORKER_YOUNG_GENERATION_MB: '0' }))).toThrow(
      'Invalid setting RELIEF_WORKER_YOUNG_GENERATION_MB="0": expected an integer from 1 to 1024',
    );
  });

  it('reads how long background pool work steps aside (ms), 50 by default', () => {
    expect(loadConfig(env({})).settings.poolBackgroundYieldMs).toBe(50);
    expect(
      loadConfig(env({ RELIEF_POOL_BACKGROUND_YIELD_MS: '0' })).settings.poolBackgroundYieldMs,
    ).toBe(0);
    expect(() => loadConfig(env({ RELIEF_POOL_BACKGROUND_YIELD_MS: '-5' }))).toThrow(
      'Invalid setting RELIEF_POOL_BACKGROUND_YIELD_MS="-5": expected an integer from 0 to 10000',
    );
  });

  it('reads the request budgets and the allowed hosts, with defaults', () => {
    expect(loadConfig(env({})).settings).toMatchObject({
      requestTimeout: 120,
      headersTimeout: 30,
      keepAliveTimeout: 72,
      maxJsonDepth: 64,
      allowedHosts: undefined,
    });
    const { settings } = loadConfig(
      env({
        RELIEF_REQUEST_TIMEOUT: '60',
        RELIEF_HEADERS_TIMEOUT: '10',
        RELIEF_MAX_JSON_DEPTH: '16',
        RELIEF_ALLOWED_HOSTS: ' maps.example.org, .example.net ,[::1]:8080,',
      }),
    );
    expect(settings).toMatchObject({ requestTimeout: 60, headersTimeout: 10, maxJsonDepth: 16 });
    expect(settings.allowedHosts).toEqual(['maps.example.org', '.example.net', '[::1]:8080']);
  });

  it('refuses allowed hosts that are not host names, and timeouts of 0', () => {
    expect(() => loadConfig(env({ RELIEF_ALLOWED_HOSTS: 'example.org,https://x.org' }))).toThrow(
      'Invalid setting RELIEF_ALLOWED_HOSTS="example.org,https://x.org": expected host names like example.org, example.org:8080 or .example.org',
    );
    expect(() => loadConfig(env({ RELIEF_ALLOWED_HOSTS: '*' }))).toThrow(/RELIEF_ALLOWED_HOSTS/);
    expect(() => loadConfig(env({ RELIEF_REQUEST_TIMEOUT: '0' }))).toThrow(
      'Invalid setting RELIEF_REQUEST_TIMEOUT="0": expected an integer from 1 to 3600',
    );
  });

  it('names the bad setting in one line', async () => {
    const fails = (vars: Record<string, string>) => () => loadConfig(env(vars));
    expect(fails({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(fails({ PORT: 'eighty' })).toThrow(
      'Invalid setting PORT="eighty": expected an integer from 0 to 65535',
    );
    expect(fails({ RELIEF_WORKERS: '0' })).toThrow(
      'Invalid setting RELIEF_WORKERS="0": expected an integer from 1 to 256',
    );
    expect(fails({ RELIEF_LOG_LEVEL: 'loud' })).toThrow(
      /^Invalid setting RELIEF_LOG_LEVEL="loud": expected one of fatal/,
    );
    expect(fails({ RELIEF_STRICT_PLUGINS: 'maybe' })).toThrow(
      /RELIEF_STRICT_PLUGINS="maybe": expected true\/false/,
    );
    expect(fails({ RELIEF_PUBLIC_URL: 'ftp://x' })).toThrow(/RELIEF_PUBLIC_URL/);
    expect(fails({ RELIEF_CONFIG: '/does/not/exist.yaml' })).toThrow(
      'Cannot read RELIEF_CONFIG=/does/not/exist.yaml: ENOENT',
    );
    const dir = await mkdtemp(join(tmpdir(), 'relief-config-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'prot: 80\n');
    expect(fails({ RELIEF_CONFIG: file })).toThrow(`Unknown setting "prot" in ${file}`);
    await writeFile(file, 'port: 99999\n');
    expect(fails({ RELIEF_CONFIG: file })).toThrow(`Invalid setting "port" in ${file}=99999`);
    await writeFile(file, 'port: [1\n');
    expect(fails({ RELIEF_CONFIG: file })).toThrow(/is not valid YAML/);
    for (const error of [fails({ PORT: 'x' }), fails({ RELIEF_CONFIG: file })]) {
      try {
        error();
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('settings sized from the machine (issue 16, items 1 and 2)', () => {
  const MiB = 1024 ** 2;
  const GiB = 1024 ** 3;
  const limits = (cpus: number, memory: number) => () => ({
    cpus,
    cpuSource: `CPU quota ${cpus * 100000}/100000 in /sys/fs/cgroup/cpu.max`,
    memory,
    memorySource: 'memory limit in /sys/fs/cgroup/memory.max',
  });
  const unused = () => {
    throw new Error('the machine was probed although every sized setting was given');
  };

  it('derives the threads, row cache and map memory from a 512 MiB, 1 CPU container', () => {
    const config = loadConfig(env({}), {}, { limits: limits(1, 512 * MiB) });
    expect(config.settings).toMatchObject({
      memoryLimit: 512 * MiB,
      workers: 1,
      rowCacheBytes: 18 * MiB,
      maxMapMemory: 37 * MiB,
    });
    const described = describeConfig(config);
    expect(described.workers).toEqual({
      value: 1,
      source: 'default',
      env: 'RELIEF_WORKERS',
      derivedFrom: 'CPU quota 100000/100000 in /sys/fs/cgroup/cpu.max',
    });
    expect(described.memoryLimit?.derivedFrom).toBe('memory limit in /sys/fs/cgroup/memory.max');
    expect(described.rowCacheBytes?.derivedFrom).toBe(
      'a third of (RELIEF_MEMORY_LIMIT − 400 MiB for the process and 2 pool threads), per thread (4 to 256 MiB)',
    );
    expect(described.port).not.toHaveProperty('derivedFrom');
  });

  it('starts fewer threads than cores when the memory limit cannot hold them', () => {
    const config = loadConfig(env({}), {}, { limits: limits(32, 512 * MiB) });
    expect(config.settings.workers).toBe(1);
    expect(config.derivedFrom.workers).toBe(
      'CPU quota 3200000/100000 in /sys/fs/cgroup/cpu.max gives 32; fewer, so the threads fit half of RELIEF_MEMORY_LIMIT',
    );
    expect(loadConfig(env({}), {}, { limits: limits(32, 16 * GiB) }).settings.workers).toBe(32);
  });

  it('keeps what is set and sizes the rest from RELIEF_MEMORY_LIMIT, without probing the machine', () => {
    const config = loadConfig(
      env({ RELIEF_MEMORY_LIMIT: '2Gi', RELIEF_WORKERS: '2', RELIEF_MAX_MAP_MEMORY: '64Mi' }),
      {},
      { limits: unused },
    );
    expect(config.settings).toMatchObject({
      memoryLimit: 2 * GiB,
      workers: 2,
      rowCacheBytes: 175 * MiB,
      maxMapMemory: 64 * MiB,
    });
    expect(config.sources.maxMapMemory).toBe('environment');
    expect(config.derivedFrom).toEqual({
      rowCacheBytes: expect.stringContaining('470 MiB for the process and 3 pool threads'),
    });
    const all = env({
      RELIEF_MEMORY_LIMIT: '1G',
      RELIEF_WORKERS: '3',
      RELIEF_ROW_CACHE_BYTES: '0',
      RELIEF_MAX_MAP_MEMORY: '1048576',
    });
    expect(loadConfig(all, {}, { limits: unused }).settings).toMatchObject({
      memoryLimit: 1e9,
      rowCacheBytes: 0,
      maxMapMemory: 1048576,
    });
  });

  it('reads byte sizes as plain bytes or with Kubernetes units, and refuses anything else', () => {
    const memory = (value: string) =>
      loadConfig(env({ RELIEF_MEMORY_LIMIT: value, RELIEF_WORKERS: '1' }), {}, { limits: unused })
        .settings.memoryLimit;
    expect(memory('536870912')).toBe(512 * MiB);
    expect(memory('512Mi')).toBe(512 * MiB);
    expect(memory('512MiB')).toBe(512 * MiB);
    expect(memory('1.5Gi')).toBe(1.5 * GiB);
    expect(memory('500M')).toBe(500e6);
    expect(memory(' 2 gi ')).toBe(2 * GiB);
    expect(() => memory('lots')).toThrow(
      'Invalid setting RELIEF_MEMORY_LIMIT="lots": expected bytes from 67108864 to 1125899906842624, or a size like 512Mi, 1Gi or 500M',
    );
    expect(() => memory('32Mi')).toThrow('Invalid setting RELIEF_MEMORY_LIMIT="32Mi"');
  });

  it('bounds the GetMap queue: 64 requests for 30 s by default', () => {
    expect(loadConfig(env({})).settings).toMatchObject({ maxMapQueue: 64, mapQueueTimeout: 30 });
    expect(
      loadConfig(env({ RELIEF_MAX_MAP_QUEUE: '0', RELIEF_MAP_QUEUE_TIMEOUT: '5' })).settings,
    ).toMatchObject({ maxMapQueue: 0, mapQueueTimeout: 5 });
    expect(() => loadConfig(env({ RELIEF_MAP_QUEUE_TIMEOUT: '0' }))).toThrow(
      'Invalid setting RELIEF_MAP_QUEUE_TIMEOUT="0"',
    );
  });
});
