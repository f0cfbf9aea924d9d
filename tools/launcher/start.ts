import { Platform } from './platform';

/** `npm start`: the whole platform on embedded defaults, until Ctrl-C. */
async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(
    'Starting FluxNote (embedded Postgres, embedded event bus, model and payment simulators)...\n',
  );
  const platform = await Platform.start({
    supervise: true,
    onEvent: (message) => process.stdout.write(`  ${message}\n`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `FluxNote is ready in ${seconds} s.`,
      `  API            ${platform.gatewayUrl}/v1   (try: curl ${platform.gatewayUrl}/readyz)`,
      `  API docs       ${platform.gatewayUrl}/docs`,
      `  Admin login    ${platform.admin.email} / ${platform.admin.password}`,
      `  Outgoing mail  ${platform.mailDir}`,
      `  Service logs   ${platform.logFile('gateway').replace(/gateway\.log$/, '')}`,
      `  Database       ${process.env['DATABASE_URL'] ? 'DATABASE_URL' : `embedded, data in ${platform.dataDir}`}`,
      `  Dead letters   ${process.env['DATABASE_URL'] ? '' : `DATABASE_URL=${platform.databaseUrl} `}npm run dead-letters -- list`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    process.stdout.write('\nStopping...\n');
    void platform.stop().then(() => {
      process.stdout.write('Stopped.\n');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `FluxNote did not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
