/**
 * The page's client for the server's JSON APIs: jobs (OGC API – Processes), the elevation
 * plugin's `POST /elevation`, the landing document and the plugins list. Every failure becomes an
 * `ApiError` whose message is what a person should read: the server's problem+json `detail`
 * when there is one.
 */

export type JobState = 'accepted' | 'running' | 'successful' | 'failed' | 'dismissed';

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['successful', 'failed', 'dismissed']);

export const ELEVATION_PROCESS = 'elevation-tiles';

/** A job's status document (statusInfo). */
export interface JobStatus {
  processID: string;
  jobID: string;
  status: JobState;
  message: string;
  created: string;
  started?: string;
  finished?: string;
  updated: string;
  progress: number;
}

export interface JobList {
  jobs: JobStatus[];
  numberMatched: number;
}

export type Bbox = [number, number, number, number];

export interface TileResult {
  name: string;
  bounds: Bbox;
  status: 'downloaded' | 'cached' | 'no-data' | 'failed';
  size?: number;
  href?: string;
  reason?: string;
}

/** What `GET /jobs/{id}/results` gives for an elevation job (docs/elevation.md). */
export interface ElevationResults {
  tiles: TileResult[];
  summary: {
    total: number;
    downloaded: number;
    cached: number;
    noData: number;
    failed: number;
    bytes: number;
  };
  statistics: {
    min: number | null;
    max: number | null;
    mean: number | null;
    count: number;
    voidCount: number;
  };
  mosaic: {
    href: string;
    type: string;
    width: number;
    height: number;
    bounds: Bbox;
  } | null;
  preview: { href: string; type: string; width: number; height: number } | null;
  layers: string[];
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** A failed request: `message` is for people; `status` is 0 when the server was not reached. */
export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch {
    throw new ApiError('The server could not be reached.', 0);
  }
  if (!response.ok) throw new ApiError(await problemDetail(response), response.status);
  return response;
}

/** The `detail` of an RFC 9457 problem, else its title, else the status line. */
async function problemDetail(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown; title?: unknown };
    if (typeof body.detail === 'string' && body.detail !== '') return body.detail;
    if (typeof body.title === 'string' && body.title !== '') return body.title;
  } catch {
    // not JSON
  }
  return `${response.status} ${response.statusText}`.trim();
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  return (await (await request(url, init)).json()) as T;
}

// Paths are relative to the page (served at the server's root), so the page works unchanged
// behind a proxy that serves Relief under a prefix (https://example.org/relief/).
const jobPath = (jobId: string) => `jobs/${encodeURIComponent(jobId)}`;

export const api = {
  /** Starts an elevation job for a GeoJSON polygon (or Feature/FeatureCollection of them). */
  submitElevation(geojson: unknown): Promise<JobStatus> {
    return json<JobStatus>('elevation', {
      method: 'POST',
      headers: { 'content-type': 'application/geo+json' },
      body: JSON.stringify(geojson),
    });
  },

  job(jobId: string): Promise<JobStatus> {
    return json<JobStatus>(jobPath(jobId));
  },

  results(jobId: string): Promise<ElevationResults> {
    return json<ElevationResults>(`${jobPath(jobId)}/results`);
  },

  resultsUrl(jobId: string): string {
    return `${jobPath(jobId)}/results`;
  },

  eventsUrl(jobId: string): string {
    return `${jobPath(jobId)}/events`;
  },

  /** Dismisses a queued or running job; its status afterwards. */
  cancel(jobId: string): Promise<JobStatus> {
    return json<JobStatus>(jobPath(jobId), { method: 'DELETE' });
  },

  recentJobs(limit = 20): Promise<JobList> {
    const query = new URLSearchParams({ processID: ELEVATION_PROCESS, limit: String(limit) });
    return json<JobList>(`jobs?${query.toString()}`);
  },

  /** The links of the OGC API landing document (`GET /?f=json`). */
  async landingLinks(): Promise<Link[]> {
    return (await json<{ links: Link[] }>('./?f=json')).links;
  },

  /** The WMS 1.3.0 capabilities document as text. */
  async wmsCapabilities(): Promise<string> {
    const response = await request('ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities', {
      headers: { accept: 'text/xml' },
    });
    return response.text();
  },
};
