import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  instance: string;
  level?: string;
  /** Destination stream (tests pass a sink); defaults to stdout. */
  destination?: pino.DestinationStream;
}

/** JSON logs, one object per line, always tagged with service and instance. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service, instance: opts.instance },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination,
  );
}
