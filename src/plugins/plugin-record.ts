/** What `GET /plugins` reports about each plugin found on the plugin path. */
export type PluginStatus = 'loaded' | 'failed';

export interface PluginRecord {
  name: string;
  version: string | null;
  description: string | null;
  folder: string;
  status: PluginStatus;
  error: string | null;
  filters: number;
  services: string[];
  /** Task types, published as OGC API – Processes processes. */
  processes: string[];
  routePrefixes: string[];
}
