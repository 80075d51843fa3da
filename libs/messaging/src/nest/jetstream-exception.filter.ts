import { Catch } from '@nestjs/common';
import type { RpcExceptionFilter } from '@nestjs/common';
import { throwError } from 'rxjs';
import type { Observable } from 'rxjs';

/**
 * Hands the thrown error to the JetStream transport unchanged. Without it Nest's default RPC filter replaces
 * every non-`RpcException` error with `{ status: 'error', message: 'Internal server error' }`, so a
 * {@link PermanentError} (or a domain error your `isPermanent` recognises) would be retried as transient.
 * Register with `app.useGlobalFilters(new JetStreamExceptionFilter())`; the transport logs the failure itself.
 */
@Catch()
export class JetStreamExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
