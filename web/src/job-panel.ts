/**
 * The job on show: submitting an area, the live progress bar and message (fed by the job's
 * event stream), cancelling, and, once the job has succeeded, its statistics, downloads and map
 * layers. A job from the recent-jobs list can be reopened here.
 */
import { ApiError, FINAL_STATES, api, type ElevationResults, type JobStatus } from './api.ts';
import type { Area } from './area-input.ts';
import { byId, formatBytes, formatNumber, h, shortId } from './dom.ts';
import { followJob } from './job-stream.ts';
import type { MapView } from './map-view.ts';

export interface JobPanelOptions {
  map: MapView;
  /** A job was submitted or reached a final state: the jobs list should know. */
  onJobChange(jobId: string): void;
}

const STATE_LABELS: Record<JobStatus['status'], string> = {
  accepted: 'queued',
  running: 'running',
  successful: 'successful',
  failed: 'failed',
  dismissed: 'dismissed',
};

export class JobPanel {
  readonly #options: JobPanelOptions;
  readonly #submitButton = byId<HTMLButtonElement>('submit-job');
  readonly #alert = byId('job-alert');
  readonly #connection = byId('job-connection');
  readonly #panel = byId('job');
  readonly #title = byId('job-title');
  readonly #state = byId('job-state');
  readonly #progress = byId<HTMLProgressElement>('job-progress');
  readonly #progressText = byId('job-progress-text');
  readonly #message = byId('job-message');
  readonly #cancelButton = byId<HTMLButtonElement>('cancel-job');
  readonly #results = byId('job-results');
  #area: Area | null = null;
  #jobId: string | undefined;
  #stopFollowing: (() => void) | undefined;
  #submitting = false;

  constructor(options: JobPanelOptions) {
    this.#options = options;
    this.#submitButton.addEventListener('click', () => void this.submit());
    this.#cancelButton.addEventListener('click', () => void this.cancel());
    this.#renderSubmit();
  }

  get jobId(): string | undefined {
    return this.#jobId;
  }

  setArea(area: Area | null): void {
    this.#area = area;
    if (area !== null) this.clearAlert();
    this.#renderSubmit();
  }

  /** Shows a message about rejected input or a failed request. */
  showAlert(message: string): void {
    this.#alert.textContent = message;
    this.#alert.hidden = false;
  }

  clearAlert(): void {
    this.#alert.textContent = '';
    this.#alert.hidden = true;
  }

  async submit(): Promise<void> {
    if (this.#area === null || this.#submitting) return;
    this.#submitting = true;
    this.#renderSubmit();
    this.clearAlert();
    try {
      const status = await api.submitElevation(this.#area.geojson);
      this.open(status.jobID, status);
      this.#options.onJobChange(status.jobID);
    } catch (error) {
      this.showAlert(
        error instanceof ApiError
          ? `The server refused the area: ${error.message}`
          : 'The job could not be submitted.',
      );
    } finally {
      this.#submitting = false;
      this.#renderSubmit();
    }
  }

  /** Shows a job and follows it to its end (its event stream starts with its current state). */
  open(jobId: string, status?: JobStatus): void {
    this.#stopFollowing?.();
    if (this.#jobId !== jobId) this.#options.map.clearJob();
    this.#jobId = jobId;
    this.#panel.hidden = false;
    this.#title.textContent = `Job ${shortId(jobId)}`;
    this.#title.title = jobId;
    this.#results.replaceChildren();
    delete this.#panel.dataset['finished'];
    this.#setConnection(true);
    this.#render(status);
    this.#stopFollowing = followJob(jobId, {
      onStatus: (next) => {
        if (this.#jobId === jobId) this.#render(next);
      },
      onConnection: (connected) => {
        if (this.#jobId === jobId) this.#setConnection(connected);
      },
      onGone: (message) => {
        if (this.#jobId !== jobId) return;
        this.#cancelButton.hidden = true;
        this.#message.textContent = `This job no longer exists: ${message}`;
        this.#options.onJobChange(jobId);
      },
    });
  }

  async cancel(): Promise<void> {
    const jobId = this.#jobId;
    if (jobId === undefined) return;
    this.#cancelButton.disabled = true;
    try {
      const status = await api.cancel(jobId);
      // The stream brings the same final state; this is quicker to show.
      if (this.#jobId === jobId) this.#render(status);
    } catch (error) {
      this.showAlert(
        `The job could not be cancelled: ${error instanceof Error ? error.message : ''}`,
      );
      this.#cancelButton.disabled = false;
    }
  }

  #render(status: JobStatus | undefined): void {
    const state = status?.status;
    const progress = Math.max(0, Math.min(100, Math.round(status?.progress ?? 0)));
    this.#panel.dataset['state'] = state ?? 'loading';
    this.#state.textContent = state === undefined ? 'loading' : STATE_LABELS[state];
    this.#state.className = `badge state-${state ?? 'loading'}`;
    this.#progress.value = progress;
    this.#progressText.textContent = `${progress} %`;
    this.#message.textContent = status?.message ?? 'Loading…';
    const final = state !== undefined && FINAL_STATES.has(state);
    this.#cancelButton.hidden = final;
    this.#cancelButton.disabled = state === undefined;
    if (!final || status === undefined) return;
    if (this.#panel.dataset['finished'] === `${status.jobID}:${state}`) return;
    this.#panel.dataset['finished'] = `${status.jobID}:${state}`;
    this.#options.onJobChange(status.jobID);
    if (state === 'successful') void this.#loadResults(status.jobID);
    else this.#options.map.clearJob();
  }

  async #loadResults(jobId: string): Promise<void> {
    let results: ElevationResults;
    try {
      results = await api.results(jobId);
    } catch (error) {
      if (this.#jobId === jobId) {
        this.showAlert(`The results could not be loaded: ${(error as Error).message}`);
      }
      return;
    }
    if (this.#jobId !== jobId) return;
    const map = this.#options.map;
    // The tile cache grew: the base layer has more to show.
    map.refresh('elevation');
    map.showJob(jobId, results.layers);
    if (results.mosaic !== null) map.fitBbox(results.mosaic.bounds);
    this.#results.replaceChildren(...renderResults(jobId, results, map));
  }

  #setConnection(connected: boolean): void {
    this.#connection.hidden = connected;
    this.#connection.textContent = connected ? '' : 'Connection lost, reconnecting…';
  }

  #renderSubmit(): void {
    this.#submitButton.disabled = this.#area === null || this.#submitting;
    this.#submitButton.textContent = this.#submitting ? 'Submitting…' : 'Start elevation job';
  }
}

function renderResults(jobId: string, results: ElevationResults, map: MapView): HTMLElement[] {
  const { statistics: stats, summary } = results;
  const statRow = (label: string, value: string) =>
    h('div', {}, h('dt', {}, label), h('dd', {}, value));
  const statistics = h(
    'dl',
    { class: 'stats', 'aria-label': 'Statistics' },
    statRow('Minimum', formatNumber(stats.min, 'm')),
    statRow('Maximum', formatNumber(stats.max, 'm')),
    statRow('Mean', formatNumber(stats.mean, 'm')),
    statRow('Samples', formatNumber(stats.count)),
    statRow('Voids', formatNumber(stats.voidCount)),
  );
  const counts = [
    `${summary.downloaded} downloaded`,
    `${summary.cached} cached`,
    summary.noData > 0 ? `${summary.noData} without data` : '',
    summary.failed > 0 ? `${summary.failed} failed` : '',
  ].filter((part) => part !== '');
  const tilesLine = h(
    'p',
    { class: 'tiles-summary' },
    `${summary.total} tile${summary.total === 1 ? '' : 's'} (${counts.join(', ')}), ${formatBytes(summary.bytes)} fetched`,
  );

  const downloads = h('ul', { class: 'downloads', 'aria-label': 'Downloads' });
  if (results.mosaic !== null) {
    downloads.append(
      h(
        'li',
        {},
        h('a', { href: results.mosaic.href, download: '' }, 'GeoTIFF mosaic'),
        ` ${results.mosaic.width} × ${results.mosaic.height} px`,
      ),
    );
  }
  if (results.preview !== null) {
    downloads.append(
      h(
        'li',
        {},
        h('a', { href: results.preview.href, target: '_blank', rel: 'noopener' }, 'Preview PNG'),
      ),
    );
  }
  downloads.append(
    h('li', {}, h('a', { href: api.resultsUrl(jobId), target: '_blank' }, 'Results (JSON)')),
  );

  const tileItems = results.tiles.map((tile) =>
    h(
      'li',
      {},
      tile.href === undefined ? h('span', {}, tile.name) : h('a', { href: tile.href }, tile.name),
      ` ${tile.status}${tile.size === undefined ? '' : `, ${formatBytes(tile.size)}`}`,
      tile.reason === undefined ? '' : ` (${tile.reason})`,
    ),
  );
  const tiles = h(
    'details',
    { class: 'tiles' },
    h('summary', {}, `Tiles (${results.tiles.length})`),
    h('ul', {}, ...tileItems),
  );

  const layerToggles = h('fieldset', { class: 'job-layers' }, h('legend', {}, 'On the map'));
  for (const name of results.layers) {
    const id = `toggle-${name}`;
    const checkbox = h('input', { type: 'checkbox', id, checked: true });
    checkbox.addEventListener('change', () => map.setVisible(name, checkbox.checked));
    const label = name.endsWith('-dem') ? 'Terrain (colour relief)' : 'Area outline';
    layerToggles.append(
      h('div', { class: 'check' }, checkbox, h('label', { for: id, title: name }, label)),
    );
  }

  return [h('h3', {}, 'Results'), statistics, tilesLine, downloads, tiles, layerToggles];
}
