import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { serializeError } from './wire-headers';

/** Keeps a handler's typed error intact on its way to NatsRpcServer (Nest would hide it). */
@Catch()
export class LptsRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => serializeError(exception));
  }
}
