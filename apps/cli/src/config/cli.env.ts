/** Where the operator commands find the services when no --nats / --prefix is given. */
export interface CliDefaults {
  natsUrl: string;
  prefix: string;
}

/** The only place the CLI reads process.env: NATS_URL and NATS_SUBJECT_PREFIX, as the services do. */
export function cliDefaults(): CliDefaults {
  return {
    natsUrl: process.env['NATS_URL'] || 'nats://127.0.0.1:4222',
    prefix: process.env['NATS_SUBJECT_PREFIX'] || 'lp',
  };
}
