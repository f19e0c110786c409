/**
 * The recent elevation jobs (`GET /jobs?processID=elevation-tiles&limit=20`), newest first, each
 * a button that reopens the job in the job panel.
 */
import { api, type JobStatus } from './api.ts';
import { byId, formatTime, h, shortId } from './dom.ts';

export class JobsList {
  readonly #list = byId<HTMLOListElement>('jobs-list');
  readonly #status = byId('jobs-status');
  readonly #refreshButton = byId<HTMLButtonElement>('refresh-jobs');
  readonly #onOpen: (jobId: string) => void;
  #current: string | undefined;
  #request = 0;

  constructor(onOpen: (jobId: string) => void) {
    this.#onOpen = onOpen;
    this.#refreshButton.addEventListener('click', () => void this.refresh());
  }

  /** Marks the job on show. */
  setCurrent(jobId: string | undefined): void {
    this.#current = jobId;
    for (const button of this.#list.querySelectorAll<HTMLButtonElement>('button[data-job]')) {
      if (button.dataset['job'] === jobId) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  }

  async refresh(): Promise<void> {
    const request = ++this.#request;
    this.#refreshButton.disabled = true;
    try {
      const { jobs, numberMatched } = await api.recentJobs(20);
      if (request !== this.#request) return;
      this.#list.replaceChildren(...jobs.map((job) => this.#item(job)));
      this.#status.textContent =
        jobs.length === 0
          ? 'No elevation jobs yet.'
          : numberMatched > jobs.length
            ? `The ${jobs.length} newest of ${numberMatched} jobs.`
            : '';
    } catch (error) {
      if (request !== this.#request) return;
      this.#status.textContent = `The jobs could not be loaded: ${(error as Error).message}`;
    } finally {
      if (request === this.#request) this.#refreshButton.disabled = false;
    }
  }

  #item(job: JobStatus): HTMLLIElement {
    const progress = job.status === 'running' ? ` ${Math.round(job.progress)} %` : '';
    const button = h(
      'button',
      {
        type: 'button',
        class: 'job-item',
        'data-job': job.jobID,
        'aria-current': job.jobID === this.#current ? 'true' : undefined,
        'aria-label': `Open job ${shortId(job.jobID)}, ${job.status}${progress}, created ${formatTime(job.created)}`,
      },
      h('span', { class: `badge state-${job.status}` }, job.status),
      h('code', {}, shortId(job.jobID)),
      h('time', { datetime: job.created }, formatTime(job.created)),
      progress === '' ? null : h('span', { class: 'job-progress' }, progress.trim()),
    );
    button.addEventListener('click', () => this.#onOpen(job.jobID));
    return h('li', {}, button);
  }
}
