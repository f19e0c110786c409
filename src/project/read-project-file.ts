/**
 * Reads and checks a project file (JSON by its `.json` extension, YAML otherwise). Anything that
 * makes the whole file unusable is a ConfigError with one line for the operator: start-up stops
 * on it, and a reload keeps the previous project.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/config-error.ts';
import { describeIssue, projectSchema, type ProjectDocument } from './project-schema.ts';

/** `path` is shown as given; `absolute` is what is read. */
export async function readProjectFile(path: string, absolute: string): Promise<ProjectDocument> {
  let content: string;
  try {
    content = await readFile(absolute, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new ConfigError(
      `Cannot read project file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`,
    );
  }
  const json = /\.json$/i.test(path);
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(content) : parseYaml(content);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ConfigError(`Project file ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Project file ${path} must hold an object with a "layers" list`);
  }
  const result = projectSchema.safeParse(parsed, { reportInput: true });
  if (!result.success) {
    const [issue, ...more] = result.error.issues;
    const first = issue === undefined ? 'invalid' : describeIssue(issue);
    const rest = more.length === 0 ? '' : ` (and ${more.length} more)`;
    throw new ConfigError(`Invalid project file ${path}: ${first}${rest}`);
  }
  return result.data;
}
