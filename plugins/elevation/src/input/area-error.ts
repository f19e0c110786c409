/**
 * A client's area is unusable. The message is shown to the HTTP client (a 400), so it says what
 * is wrong and where; `locator` names the place in the request (`geometry.coordinates[0][3]`,
 * `crs`).
 */
export class AreaError extends Error {
  constructor(
    message: string,
    readonly locator: string,
  ) {
    super(message);
    this.name = 'AreaError';
  }
}
