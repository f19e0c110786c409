/** Reads the text of a job event stream (`GET /jobs/{id}/events`) into its events. */

export interface JobStreamEvent<Data = { jobID: string; status: string; progress: number }> {
  id: number;
  event: string;
  /** The reconnection delay, on the events that set one. */
  retry?: string;
  data: Data;
}

export function parseJobEvents<Data = JobStreamEvent['data']>(
  text: string,
): JobStreamEvent<Data>[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('id:'))
    .map((block) => {
      const fields = Object.fromEntries(
        block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
      );
      return {
        id: Number(fields.id),
        event: fields.event as string,
        ...(fields.retry === undefined ? {} : { retry: fields.retry }),
        data: JSON.parse(fields.data ?? '{}') as Data,
      };
    });
}
