import { Metadata, status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { PdmeError, type PdmeErrorCode } from '@pdme/common/errors';
import type { FieldProblem } from './statsFilter.js';

const HTTP_STATUS: Partial<Record<PdmeErrorCode, number>> = {
  BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  UNAVAILABLE: 503,
};

const GRPC_STATUS: Partial<Record<PdmeErrorCode, GrpcStatus>> = {
  BAD_INPUT: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHORIZED: GrpcStatus.UNAUTHENTICATED,
  FORBIDDEN: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  CONFLICT: GrpcStatus.ABORTED,
  PRECONDITION_FAILED: GrpcStatus.FAILED_PRECONDITION,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
};

export interface ErrorBody {
  readonly error: {
    readonly code: PdmeErrorCode;
    readonly message: string;
    readonly fields?: readonly FieldProblem[];
  };
}

/** A transport-neutral view of an error that is safe to show a caller. */
export interface PublicError {
  /** True when the code is one of the mapped ones; otherwise the answer is a bare INTERNAL. */
  readonly exposed: boolean;
  readonly code: PdmeErrorCode;
  readonly message: string;
  readonly fields?: readonly FieldProblem[];
}

function isFieldProblem(value: unknown): value is FieldProblem {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['field'] === 'string' && typeof record['problem'] === 'string';
}

function fieldsOf(error: PdmeError): readonly FieldProblem[] | undefined {
  const fields = error.details['fields'];
  return Array.isArray(fields) && fields.every(isFieldProblem) ? fields : undefined;
}

/**
 * Only errors we raised on purpose with a mapped code keep their message; anything else (bugs,
 * library errors, INTERNAL, CONFIG_INVALID...) becomes "internal error" so internals never leak.
 */
export function publicError(error: unknown): PublicError {
  if (error instanceof PdmeError && HTTP_STATUS[error.code] !== undefined) {
    const fields = fieldsOf(error);
    return { exposed: true, code: error.code, message: error.message, ...(fields ? { fields } : {}) };
  }
  return { exposed: false, code: 'INTERNAL', message: 'internal error' };
}

export function httpStatusFor(code: PdmeErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

export function grpcStatusFor(code: PdmeErrorCode): GrpcStatus {
  return GRPC_STATUS[code] ?? GrpcStatus.INTERNAL;
}

/** The HTTP answer for an error: status and JSON body `{error:{code, message, fields?}}`. */
export function httpErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  const pub = publicError(error);
  const body: ErrorBody = {
    error: { code: pub.code, message: pub.message, ...(pub.fields ? { fields: pub.fields } : {}) },
  };
  return { status: preconditionRequired(error) ? 428 : httpStatusFor(pub.code), body };
}

/** A missing If-Match is PRECONDITION_FAILED marked for HTTP 428 Precondition Required (RFC 6585). */
function preconditionRequired(error: unknown): boolean {
  return (
    error instanceof PdmeError && error.code === 'PRECONDITION_FAILED' && error.details['httpStatus'] === 428
  );
}

/** The gRPC status for an error; the PdmeError code travels in the `pdme-error-code` trailer. */
export function grpcErrorStatus(error: unknown): StatusObject {
  const pub = publicError(error);
  const metadata = new Metadata();
  metadata.set('pdme-error-code', pub.code);
  return { code: grpcStatusFor(pub.code), details: pub.message, metadata };
}
