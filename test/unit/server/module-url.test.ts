import { describe, expect, it } from 'vitest';
import { isCompiled, moduleUrl } from '../../../src/server/module-url.ts';

describe('moduleUrl', () => {
  it('keeps .ts neighbours of a TypeScript module (run from sources)', () => {
    expect(moduleUrl('./decode-worker.ts', 'file:///app/plugins/x/src/task.ts').href).toBe(
      'file:///app/plugins/x/src/decode-worker.ts',
    );
  });

  it('names the compiled neighbour of a JavaScript module (the compiled build)', () => {
    expect(moduleUrl('./decode-worker.ts', 'file:///app/plugins/x/src/task.js').href).toBe(
      'file:///app/plugins/x/src/decode-worker.js',
    );
    expect(moduleUrl('../index.ts', 'file:///app/src/plugins/loader.mjs').href).toBe(
      'file:///app/src/index.js',
    );
  });

  it('leaves other files alone', () => {
    expect(moduleUrl('./hook.mjs', 'file:///app/src/a.js').href).toBe('file:///app/src/hook.mjs');
    expect(moduleUrl('../../package.json', 'file:///app/src/server/v.js').href).toBe(
      'file:///app/package.json',
    );
  });

  it('tells compiled modules from sources by their file name', () => {
    expect([isCompiled('file:///a/b.js'), isCompiled('file:///a/b.ts')]).toEqual([true, false]);
  });
});
