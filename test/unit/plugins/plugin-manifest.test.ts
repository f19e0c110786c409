import { describe, expect, it } from 'vitest';
import {
  describeManifestError,
  pluginManifestSchema,
} from '../../../src/plugins/plugin-manifest.ts';

const valid = {
  name: 'elevation',
  version: '1.0.0',
  description: 'd',
  entry: 'index.ts',
  minReliefVersion: '0.1.0',
};

const reason = (manifest: unknown) => {
  const parsed = pluginManifestSchema.safeParse(manifest);
  return parsed.success ? 'ok' : describeManifestError(parsed.error);
};

describe('plugin manifest', () => {
  it('accepts a complete manifest', () => {
    expect(reason(valid)).toBe('ok');
  });

  it('explains each invalid field', () => {
    expect(reason({ ...valid, name: 'Bad Name' })).toMatch(/^name: must be lower-case/);
    expect(reason({ ...valid, version: '1' })).toBe(
      'version: must be a semantic version like 1.2.3',
    );
    expect(reason({ ...valid, entry: '../outside.ts' })).toBe(
      'entry: must be a path inside the plugin folder',
    );
    expect(reason({ ...valid, entry: '/abs.ts' })).toBe(
      'entry: must be a path inside the plugin folder',
    );
    expect(reason({ ...valid, minReliefVersion: 'latest' })).toMatch(
      /^minReliefVersion: must be a semantic version/,
    );
    const { description: _d, ...missing } = valid;
    expect(reason(missing)).toMatch(/^description: /);
    expect(reason({ ...valid, extra: true })).toMatch(/extra/);
  });
});
