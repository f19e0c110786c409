/** A setting that stops start-up. The message is the one line printed to the operator. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The setting at fault, by its environment variable (or its key in the config file). */
  readonly setting: string | undefined;

  constructor(message: string, options: { setting?: string } = {}) {
    super(message);
    this.setting = options.setting;
  }
}
