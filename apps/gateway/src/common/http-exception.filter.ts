import type { ServerResponse } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isLptsError, type LptsError } from '@lpts/protocol';
import type { Logger } from '@lpts/platform';
import type { GatewayErrorCode } from './gateway.errors';

/** GatewayError code → HTTP status. */
export const GATEWAY_HTTP_STATUS: Readonly<Record<GatewayErrorCode, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SEGMENT_TOO_LARGE: 413,
  NO_ORCHESTRATORS: 503,
  PRICE_TOO_HIGH: 503,
  ALL_ATTEMPTS_FAILED: 502,
  VERIFICATION_FAILED: 502,
  ORCHESTRATOR_ERROR: 502,
  ORCHESTRATOR_UNREACHABLE: 502,
  ORCHESTRATOR_TIMEOUT: 504,
  PAYMENT_FAILED: 502,
};

export function httpStatusOf(e: LptsError): number {
  if (e.family === 'GatewayError' || e.family === 'OrchestratorCallError') return GATEWAY_HTTP_STATUS[e.code as GatewayErrorCode] ?? 500;
  if (e.family === 'ConfigError') return 500;
  return e.retryable ? 503 : 500;
}

/** The one filter of the client API: typed errors become `{error:{family,code,message,details}}` with a mapped status. */
@Catch()
export class GatewayHttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    let status = 500;
    let body: { family: string; code: string; message: string; details: Record<string, unknown> };
    if (isLptsError(exception)) {
      status = httpStatusOf(exception);
      body = { family: exception.family, code: exception.code, message: exception.message, details: exception.details };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = { family: 'HttpException', code: status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: exception.message, details: {} };
    } else {
      this.logger.error({ err: exception }, 'unhandled error in the client API');
      body = { family: 'Error', code: 'INTERNAL', message: 'internal error', details: {} };
    }
    if (status >= 500) this.logger.warn({ status, code: body.code, message: body.message }, 'client API error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: body }));
  }
}
