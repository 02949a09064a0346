import * as grpc from '@grpc/grpc-js';
import { ProtocolError } from '@sdpo/protocol';
import { StoreError } from './store.js';

/** Coordinator-level errors with stable codes. */
export class CoordinatorError extends Error {
  constructor(
    readonly code: 'SWEEP_EXISTS' | 'NO_SUCH_SWEEP' | 'NO_SUCH_WORKER' | 'VERSION_MISMATCH' | 'UNAUTHENTICATED' | 'SHUTTING_DOWN' | 'INVALID_ADDRESS',
    message: string,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}

/** The one place errors become gRPC statuses (code + details = our message, code in metadata). */
export function toGrpcStatus(err: unknown): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') metadata.set('sdpo-code', code);
  const details = err instanceof Error ? err.message : String(err);
  let status = grpc.status.INTERNAL;
  if (err instanceof ProtocolError) status = grpc.status.INVALID_ARGUMENT;
  else if (err instanceof StoreError) status = err.code === 'NO_SUCH_SWEEP' ? grpc.status.NOT_FOUND : grpc.status.INTERNAL;
  else if (err instanceof CoordinatorError) {
    status = {
      SWEEP_EXISTS: grpc.status.ALREADY_EXISTS,
      NO_SUCH_SWEEP: grpc.status.NOT_FOUND,
      NO_SUCH_WORKER: grpc.status.NOT_FOUND,
      VERSION_MISMATCH: grpc.status.FAILED_PRECONDITION,
      UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
      SHUTTING_DOWN: grpc.status.UNAVAILABLE,
      INVALID_ADDRESS: grpc.status.INVALID_ARGUMENT,
    }[err.code];
  }
  return { code: status, details, metadata };
}
