/**
 * What every capabilities document says about this server. One place, so that a project file
 * can supply it later without touching the services.
 */
export interface ServiceMetadata {
  readonly title: string;
  readonly abstract: string;
  /** Who runs the server (OWS ServiceProvider/ProviderName). */
  readonly providerName: string;
  /** `NONE` is the keyword the standards reserve for "no fees" and "no constraints". */
  readonly fees: string;
  readonly accessConstraints: string;
}

export const SERVICE_METADATA: ServiceMetadata = {
  title: 'Relief',
  abstract: 'Relief map server',
  providerName: 'Relief',
  fees: 'NONE',
  accessConstraints: 'NONE',
};
