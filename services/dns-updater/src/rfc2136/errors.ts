export const DNS_UPDATE_ERROR_CODES = [
  'REFUSED',
  'NOTAUTH',
  'NOTZONE',
  'YXDOMAIN',
  'YXRRSET',
  'NXDOMAIN',
  'NXRRSET',
  'SERVFAIL',
  'FORMERR',
  'NOTIMP',
  'BADKEY',
  'BADSIG',
  'BADTIME',
  'TIMEOUT',
  'NETWORK',
  'BAD_RESPONSE',
] as const;

export type DnsUpdateErrorCode = (typeof DNS_UPDATE_ERROR_CODES)[number];

/** Only transient conditions are worth a retry; prerequisite, policy and auth failures are not. */
const RETRYABLE: ReadonlySet<DnsUpdateErrorCode> = new Set<DnsUpdateErrorCode>([
  'TIMEOUT',
  'NETWORK',
  'SERVFAIL',
]);

export function isRetryableCode(code: DnsUpdateErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Header RCODE → error code (RFC 1035 §4.1.1, RFC 2136 §2.2). 0 (NOERROR) has no error code. */
export function rcodeToErrorCode(rcode: number): DnsUpdateErrorCode {
  switch (rcode) {
    case 1:
      return 'FORMERR';
    case 2:
      return 'SERVFAIL';
    case 3:
      return 'NXDOMAIN';
    case 4:
      return 'NOTIMP';
    case 5:
      return 'REFUSED';
    case 6:
      return 'YXDOMAIN';
    case 7:
      return 'YXRRSET';
    case 8:
      return 'NXRRSET';
    case 9:
      return 'NOTAUTH';
    case 10:
      return 'NOTZONE';
    default:
      return 'BAD_RESPONSE';
  }
}

export const ERROR_EXPLANATION: Readonly<Record<DnsUpdateErrorCode, string>> = {
  FORMERR: 'server could not parse the request (format error)',
  SERVFAIL: 'server failed to process the request (internal error)',
  NXDOMAIN: 'prerequisite failed: a name that must be in use is not',
  NOTIMP: 'server does not implement this opcode',
  REFUSED: 'server refused the request (policy: client or key not allowed)',
  YXDOMAIN: 'prerequisite failed: a name that must not be in use is in use',
  YXRRSET: 'prerequisite failed: an RRset that must not exist exists',
  NXRRSET: 'prerequisite failed: an RRset that must exist does not exist or has other records',
  NOTAUTH: 'server is not authoritative for the zone or did not authenticate the request',
  NOTZONE: 'a name in the update is outside the zone',
  BADKEY: 'TSIG key not recognised',
  BADSIG: 'TSIG signature did not verify',
  BADTIME: 'TSIG time outside the allowed fudge (clock skew)',
  TIMEOUT: 'no response in time',
  NETWORK: 'network error',
  BAD_RESPONSE: 'invalid or unexpected response',
};

export interface DnsUpdateErrorInit {
  server: string;
  port: number;
  /** The zone being updated; undefined for plain queries. */
  zone?: string;
  /** Header RCODE of the response, when there was one. */
  rcode?: number;
  /** TSIG error field (16 BADSIG, 17 BADKEY, 18 BADTIME), when a TSIG was involved. */
  tsigError?: number;
  /** Who detected the TSIG problem: the server (its TSIG error field) or this client (response check). */
  tsigOrigin?: 'server' | 'client';
  protocol?: 'udp' | 'tcp';
  messageId?: number;
  cause?: unknown;
}

export class DnsUpdateError extends Error {
  readonly code: DnsUpdateErrorCode;
  readonly retryable: boolean;
  readonly server: string;
  readonly port: number;
  readonly zone: string | undefined;
  readonly rcode: number | undefined;
  readonly tsigError: number | undefined;
  readonly tsigOrigin: 'server' | 'client' | undefined;
  readonly protocol: 'udp' | 'tcp' | undefined;
  readonly messageId: number | undefined;

  constructor(code: DnsUpdateErrorCode, message: string, init: DnsUpdateErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DnsUpdateError';
    this.code = code;
    this.retryable = isRetryableCode(code);
    this.server = init.server;
    this.port = init.port;
    this.zone = init.zone;
    this.rcode = init.rcode;
    this.tsigError = init.tsigError;
    this.tsigOrigin = init.tsigOrigin;
    this.protocol = init.protocol;
    this.messageId = init.messageId;
  }
}

export function formatServer(server: string, port: number): string {
  return server.includes(':') ? `[${server}]:${port}` : `${server}:${port}`;
}
