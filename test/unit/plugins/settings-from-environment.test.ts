import { describe, expect, it } from 'vitest';
import { settingsFromEnvironment } from '../../../src/plugins/plugin-loader.ts';

describe('settingsFromEnvironment', () => {
  it('maps RELIEF_<PLUGIN>_<KEY> to camel-case keys of that plugin only', () => {
    const env = {
      RELIEF_ELEVATION_SOURCE: 'http://127.0.0.1/{dir}/{name}.hgt.gz',
      RELIEF_ELEVATION_MAX_TILES: '50',
      RELIEF_ELEVATION_EMPTY: '',
      RELIEF_HELLO_GREETING: 'Hi',
      RELIEF_WORKERS: '2',
    };
    expect(settingsFromEnvironment('elevation', env)).toEqual({
      source: 'http://127.0.0.1/{dir}/{name}.hgt.gz',
      maxTiles: '50',
    });
    expect(settingsFromEnvironment('my-plugin', { RELIEF_MY_PLUGIN_RETRY_BASE_MS: '10' })).toEqual({
      retryBaseMs: '10',
    });
  });
});
