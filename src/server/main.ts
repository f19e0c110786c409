/**
 * `npm start`: read the settings, build the server, listen, and shut down cleanly on
 * SIGTERM/SIGINT (stop accepting, let in-flight requests finish within RELIEF_SHUTDOWN_TIMEOUT,
 * close plugins and the worker pool, exit 0).
 */
import pino from 'pino';
import { ConfigError } from '../config/config-error.ts';
import { describeConfig, loadConfig, type LoadedConfig } from '../config/load-config.ts';
import { createServer } from './create-server.ts';
import { loggerOptions } from './logger.ts';
import { redactText } from './redact-secrets.ts';
import { RELIEF_VERSION } from './version.ts';

/**
 * A failed start as one JSON line at level fatal on stderr, with a message a person can read:
 * the server's logger may not exist yet. Written synchronously, as the process exits next.
 */
function startupFailed(fields: Record<string, unknown>, message: string): never {
  const log = pino(loggerOptions('info'), pino.destination({ fd: 2, sync: true }));
  log.fatal(fields, redactText(message));
  process.exit(1);
}

async function main(): Promise<void> {
  let config: LoadedConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) startupFailed({ setting: error.setting }, error.message);
    throw error;
  }
  const { app } = await createServer(config);
  app.log.info(
    {
      version: RELIEF_VERSION,
      // Which runtime this is: the image ships one Node, a host may run another.
      node: process.version,
      configFile: config.configFile ?? null,
      settings: describeConfig(config),
    },
    'configuration',
  );
  await app.listen({ host: config.settings.host, port: config.settings.port });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const bound = config.settings.shutdownTimeout * 1000;
    app.log.info({ signal, timeoutSeconds: config.settings.shutdownTimeout }, 'shutting down');
    // Past the bound, connections still open are cut so the close can complete.
    const timer = setTimeout(() => {
      app.log.warn('in-flight requests did not finish in time; closing their connections');
      app.server.closeAllConnections();
    }, bound);
    timer.unref();
    // Keep-alive connections whose last request finishes during the close would otherwise hold
    // it open until they time out; close each as soon as it falls idle.
    const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
    idleSweep.unref();
    try {
      await app.close();
      clearTimeout(timer);
      clearInterval(idleSweep);
      app.log.info('stopped');
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  startupFailed(
    { err: error },
    `start-up failed: ${error instanceof Error ? error.message : String(error)}`,
  );
});
