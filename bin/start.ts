import { pino } from 'pino';
import { startDeskgraph } from '../server.js';
import { ConfigError, loadConfig, readEnv } from './config.js';

async function main(): Promise<void> {
  const log = pino({ level: readEnv(process.env).LOG_LEVEL });
  const config = loadConfig(process.env, log);
  const app = await startDeskgraph(config, { port: config.port, host: config.host, log });
  if (app.bootstrap.created) {
    log.info({ email: app.bootstrap.email }, 'empty database: created the first account, its default channel and its ADMIN');
    if (app.bootstrap.generatedPassword) {
      // On stderr, outside the JSON log stream that log shippers keep: shown once, never stored.
      process.stderr.write(
        `\n  First ADMIN:  ${app.bootstrap.email}\n  Password:     ${app.bootstrap.generatedPassword}\n  (shown once; change it with changeMyPassword)\n\n`,
      );
    }
  }
  log.info({ url: app.url, graphiql: config.graphiql }, 'Deskgraph is listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // A configuration mistake is the operator's to fix: its messages, without a stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`Deskgraph could not start. ${err.message}\n`);
  } else {
    pino().fatal({ err }, 'Deskgraph could not start');
  }
  process.exit(1);
});
