import type { FilterStage } from './server-filter.ts';

/** An unexpected error thrown by a filter; keeps which plugin and hook it came from for the log. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  readonly plugin: string;
  readonly stage: FilterStage;

  constructor(plugin: string, stage: FilterStage, cause: unknown) {
    super(`Filter of plugin "${plugin}" failed in ${stage}`, { cause });
    this.plugin = plugin;
    this.stage = stage;
  }
}
