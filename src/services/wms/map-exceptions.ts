/**
 * The EXCEPTIONS parameter of GetMap. XML (the default) answers with the version's
 * ServiceExceptionReport; INIMAGE draws the message into an image of the requested size and
 * format; BLANK answers with an empty image (transparent or BGCOLOR). 1.3.0 spells them XML,
 * INIMAGE, BLANK; 1.1.1 application/vnd.ogc.se_xml, _inimage, _blank. Either spelling is
 * accepted in both versions, and an unknown value means XML.
 */
import sharp from 'sharp';
import type { ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { escapeText } from '../../xml/xml-escape.ts';
import {
  blankImage,
  encode,
  parseImageOutput,
  type ImageLimits,
  type ImageOutput,
} from './image-output.ts';

export type ExceptionsMode = 'xml' | 'inimage' | 'blank';

const MODES: Record<string, ExceptionsMode> = {
  XML: 'xml',
  INIMAGE: 'inimage',
  BLANK: 'blank',
  'APPLICATION/VND.OGC.SE_XML': 'xml',
  'APPLICATION/VND.OGC.SE_INIMAGE': 'inimage',
  'APPLICATION/VND.OGC.SE_BLANK': 'blank',
};

export function exceptionsMode(value: string | undefined): ExceptionsMode {
  return MODES[(value ?? '').trim().toUpperCase()] ?? 'xml';
}

/**
 * The image answering `error` when the request asked for image exceptions and its WIDTH,
 * HEIGHT and FORMAT can make one; undefined otherwise (the XML report is then sent).
 */
export async function exceptionImage(
  error: ServiceException,
  parameters: OwsParameters,
  limits: ImageLimits,
): Promise<{ body: Buffer; output: ImageOutput } | undefined> {
  const mode = exceptionsMode(parameters.get('EXCEPTIONS'));
  if (mode === 'xml') return undefined;
  let output: ImageOutput;
  try {
    output = parseImageOutput(parameters, limits);
  } catch {
    return undefined;
  }
  if (mode === 'blank') return { body: await blankImage(output), output };
  return { body: await messageImage(output, `${error.code}: ${error.message}`), output };
}

/** The message in black on the request's background, wrapped to the image width. */
async function messageImage(output: ImageOutput, message: string): Promise<Buffer> {
  const { width, height } = output;
  const lineHeight = 14;
  const lines = wrap(message, Math.max(8, Math.floor((width - 8) / 7)));
  const text = lines
    .map((line, k) => `<tspan x="4" y="${16 + k * lineHeight}">${escapeText(line)}</tspan>`)
    .join('');
  const { r, g, b } = output.background;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="rgb(${r},${g},${b})" fill-opacity="${output.transparent ? 0 : 1}"/>` +
    `<text font-family="sans-serif" font-size="12" fill="#000000">${text}</text></svg>`;
  return encode(sharp(Buffer.from(svg)).ensureAlpha(), output);
}

function wrap(message: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of message.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
