import { pino } from 'pino';
import { startDeskgraph } from '../server.js';
import { loadConfig } from './config.js';

const log = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });

async function main(): Promise<void> {
  const config = loadConfig(process.env, log);
  const app = await startDeskgraph(config, { port: config.port, host: config.host, log });
  if (app.bootstrap.created) {
    log.info({ email: app.bootstrap.email }, 'empty database: created the first account, its default channel and its ADMIN');
    if (app.bootstrap.generatedPassword) {
      // Printed once, on the console only: it is never stored in plain text.
      console.log(
        `\n  First ADMIN:  ${app.bootstrap.email}\n  Password:     ${app.bootstrap.generatedPassword}\n  (shown once; change it with changeMyPassword)\n`,
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
  log.fatal({ err }, 'Deskgraph could not start');
  process.exit(1);
});
