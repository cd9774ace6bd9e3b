import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startDeskgraph } from '../server.js';
import { DatabaseUnreachable } from '../db/store.js';
import { ConfigError, loadConfig, readEnv } from './config.js';

/**
 * The generated password never enters the log stream (log shippers keep it): on a terminal it is
 * shown once on stderr; otherwise (a container, a supervisor) it goes to a 0600 file in the data folder.
 */
function showFirstPassword(email: string, password: string, dataDir: string, log: Logger): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\n  First ADMIN:  ${email}\n  Password:     ${password}\n  (shown once; change it with changeMyPassword)\n\n`);
    return;
  }
  const file = join(dataDir, 'initial-admin-password');
  writeFileSync(file, `${email}\n${password}\n`, { mode: 0o600 });
  log.warn({ email, file }, 'the first ADMIN password is in this file (owner-only); change it with changeMyPassword and delete the file');
}

async function main(): Promise<void> {
  const log = pino({ level: readEnv(process.env).LOG_LEVEL });
  const config = loadConfig(process.env, log);
  const app = await startDeskgraph(config, { port: config.port, host: config.host, log });
  if (app.bootstrap.created) {
    log.info({ email: app.bootstrap.email }, 'empty database: created the first account, its default channel and its ADMIN');
    if (app.bootstrap.generatedPassword) showFirstPassword(app.bootstrap.email, app.bootstrap.generatedPassword, config.dataDir, log);
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
  if (err instanceof ConfigError || err instanceof DatabaseUnreachable) {
    process.stderr.write(`Deskgraph could not start. ${err.message}\n`);
  } else {
    pino().fatal({ err }, 'Deskgraph could not start');
  }
  process.exit(1);
});
