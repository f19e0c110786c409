/** Task types as OGC API – Processes process summaries and descriptions. */
import type { TaskTypeDefinition } from '../../tasks/task-types.ts';
import type { Link } from './status-info.ts';

export function jobControlOptions(type: TaskTypeDefinition): string[] {
  return [...(type.jobControlOptions ?? ['async-execute', 'dismiss'])];
}

export function processSummary(type: TaskTypeDefinition, base: string) {
  const self = `${base}/processes/${type.id}`;
  const links: Link[] = [
    { href: self, rel: 'self', type: 'application/json', title: 'Process description' },
    {
      href: `${self}/execution`,
      rel: 'http://www.opengis.net/def/rel/ogc/1.0/execute',
      type: 'application/json',
      title: 'Execute',
    },
  ];
  return {
    id: type.id,
    title: type.title,
    ...(type.description === undefined ? {} : { description: type.description }),
    version: type.version,
    jobControlOptions: jobControlOptions(type),
    outputTransmission: ['value'],
    links,
  };
}

export function processDescription(type: TaskTypeDefinition, base: string) {
  return { ...processSummary(type, base), inputs: type.inputs, outputs: type.outputs };
}
