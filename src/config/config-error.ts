/** A setting that stops start-up. The message is the one line printed to the operator. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
