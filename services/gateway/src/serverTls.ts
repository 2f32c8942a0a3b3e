import { readFileSync } from 'node:fs';
import { PdmeError } from '@pdme/common/errors';

/** Certificate and key the gateway serves HTTPS and gRPC with; a client CA turns on mutual TLS. */
export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

export interface ServerTlsFiles {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly clientCaFile?: string;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PdmeError(
      'CONFIG_INVALID',
      `gateway: cannot read ${what} ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Reads the PEM files once at start-up; undefined (plaintext) when no certificate is configured. */
export function loadServerTls(files: ServerTlsFiles): ServerTls | undefined {
  if (files.certFile === undefined || files.keyFile === undefined) return undefined;
  return {
    cert: read(files.certFile, 'TLS certificate'),
    key: read(files.keyFile, 'TLS key'),
    ...(files.clientCaFile === undefined ? {} : { clientCa: read(files.clientCaFile, 'client CA file') }),
  };
}
