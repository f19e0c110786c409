/** `plugin.json`: what a plugin folder declares about itself, checked before any code loads. */
import semver from 'semver';
import { z } from 'zod';

export const MANIFEST_FILE = 'plugin.json';

export const pluginManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
      error: 'must be lower-case letters, digits and dashes, starting with a letter',
    }),
    version: z
      .string()
      .refine((v) => semver.valid(v) !== null, { error: 'must be a semantic version like 1.2.3' }),
    description: z.string().min(1).max(500),
    entry: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
        error: 'must be a path inside the plugin folder',
      }),
    minReliefVersion: z
      .string()
      .refine((v) => semver.valid(v) !== null, { error: 'must be a semantic version like 0.1.0' }),
  })
  .strict();

export type PluginManifest = z.output<typeof pluginManifestSchema>;

/** Turns the first zod issue into one readable sentence, e.g. `version: must be a semantic version`. */
export function describeManifestError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid manifest';
  const field = issue.path.join('.') || 'manifest';
  return `${field}: ${issue.message}`;
}
