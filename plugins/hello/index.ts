/**
 * The example plugin, in the spirit of QGIS Server's HelloServer: it shows each filter hook, a
 * custom OWS service (`/ows?SERVICE=HELLO&REQUEST=SayHello&VERSION=1.0.0&NAME=you`) and REST
 * routes of its own under `/hello`, one of which streams.
 */
import { Readable } from 'node:stream';
import { definePlugin, ServiceException, z } from 'relief';

const configSchema = z
  .object({
    greeting: z.string().min(1).max(40).default('Hello'),
    /** Largest count the streaming route accepts. */
    maxCount: z.number().int().positive().default(1000),
  })
  .strict();

export default definePlugin({
  configSchema,
  register(relief) {
    const { greeting, maxCount } = relief.config;

    relief.registerFilter(
      {
        // requestReady: default a missing NAME for the HELLO service, refuse a reserved one.
        requestReady(ctx) {
          if (ctx.parameters.get('SERVICE')?.toUpperCase() !== 'HELLO') return;
          if (!ctx.parameters.has('NAME')) ctx.parameters.set('NAME', 'world');
          if (ctx.parameters.get('NAME') === 'nobody') {
            throw new ServiceException('InvalidParameterValue', 'Nobody cannot be greeted', 'NAME');
          }
        },
        // responseComplete: stamp HELLO responses so clients can see the plugin ran.
        responseComplete(ctx) {
          if (ctx.service === 'HELLO') ctx.response.setHeader('x-hello-plugin', relief.version);
        },
        // sendResponse: SHOUT=1 upper-cases the output, chunk by chunk when it streams.
        sendResponse(ctx, chunk) {
          if (ctx.parameters.get('SHOUT') === '1') chunk.data = chunk.data.toString().toUpperCase();
        },
      },
      100,
    );

    relief.registerService({
      name: 'HELLO',
      title: 'Hello service',
      versions: ['1.0.0'],
      operations: {
        GetCapabilities: ({ endpoint }) => ({
          contentType: 'application/json',
          body: JSON.stringify({
            service: 'HELLO',
            version: '1.0.0',
            operations: ['GetCapabilities', 'SayHello'],
            endpoint,
          }),
        }),
        SayHello: ({ parameters }) => ({
          contentType: 'text/plain; charset=utf-8',
          body: `${greeting}, ${parameters.get('NAME') ?? 'world'}!\n`,
        }),
      },
    });

    relief.registerRoutes(async (app) => {
      app.get('/greeting', async (request) => {
        const { name = 'world' } = request.query as { name?: string };
        return { greeting: `${greeting}, ${name}!` };
      });
      // Streams `count` lines, each a chunk of its own, to show per-chunk sendResponse.
      app.get('/count', async (request, reply) => {
        // Digits only: Number() alone would take 0x10, 1e1 and Infinity.
        const n = (request.query as { n?: string }).n ?? '10';
        const count = /^\d{1,9}$/.test(n) ? Number(n) : NaN;
        if (!(count >= 1 && count <= maxCount)) {
          throw new ServiceException(
            'InvalidParameterValue',
            `n must be an integer from 1 to ${maxCount}`,
            'n',
          );
        }
        async function* lines() {
          for (let i = 1; i <= count; i++) yield `${greeting} #${i}\n`;
        }
        return reply.type('text/plain; charset=utf-8').send(Readable.from(lines()));
      });
    });

    relief.log.info({ greeting }, 'hello plugin ready');
  },
});
