import { readFileSync } from 'node:fs';

/** Relief's own version, which plugin manifests are checked against. */
export const RELIEF_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
