/**
 * `npm start`: read the settings, build the server, listen, and shut down cleanly on
 * SIGTERM/SIGINT within RELIEF_SHUTDOWN_TIMEOUT (the sequence is in shutdown.ts), exiting 0.
 */
import { ConfigError } from '../config/config-error.ts';
import { describeConfig, loadConfig, type LoadedConfig } from '../config/load-config.ts';
import { createServer } from './create-server.ts';
import { shutDown } from './shutdown.ts';
import { RELIEF_VERSION } from './version.ts';

async function main(): Promise<void> {
  let config: LoadedConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`relief: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const server = await createServer(config);
  const { app } = server;
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
    app.log.info({ signal, timeoutSeconds: config.settings.shutdownTimeout }, 'shutting down');
    try {
      const outcome = await shutDown(
        server.shutdown,
        app.log,
        config.settings.shutdownTimeout * 1000,
      );
      // Exit 0 even when something had to be cut: shutDown has logged what, and a non-zero
      // code would only make an orchestrator report a crash.
      app.log.info({ cutRequests: outcome.cut.length, tasksLeft: outcome.tasksLeft }, 'stopped');
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
  process.stderr.write(
    `relief: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
