import { dirname, join, resolve } from 'node:path';
import { Server, ServerCredentials, type Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { presentedToken, type Authenticator, type Principal } from '@pdme/common/auth';
import { errorMessage } from '@pdme/common/errors';
import type { Logger } from '@pdme/common/logging';
import {
  GetStatsResponse,
  StatsServiceService,
  type StatsServiceServer,
  type WatchStatsRequest,
} from '@pdme/common/proto';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { grpcErrorStatus, publicError } from './errorMapping.js';
import { repoRoot } from '@pdme/common/repo-root';
import { parseStatsFilter } from './statsFilter.js';
import { toProtoAccuracy, toProtoLatencies } from './statsAccuracy.js';
import type { ServerTls } from './serverTls.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';

export const STATS_SERVICE_NAME = 'pdme.v1.StatsService';
/** Services the health service reports on: '' is the whole server. */
const HEALTH_SERVICES = ['', STATS_SERVICE_NAME] as const;

export interface GrpcServerOptions {
  readonly host: string;
  /** Serve over TLS (client certificates required when it names a client CA); insecure without. */
  readonly tls?: ServerTls;
  /** 0 picks a free port; the bound one is in the result. */
  readonly port: number;
  readonly reader: StatsSource;
  readonly logger: Logger;
  /** Checks metadata credentials on StatsService calls; undefined turns auth off. Health and reflection stay open. */
  readonly auth: Authenticator | undefined;
  /** Directory holding pdme/v1/stats.proto, for reflection. Default: `<repo root>/proto`. */
  readonly protoDir?: string;
  /** How long shutdown waits for in-flight calls (health Watch streams never end) before cancelling. */
  readonly shutdownGraceMs?: number;
}

export interface RunningGrpcServer {
  readonly server: Server;
  readonly port: number;
  readonly health: HealthImplementation;
  /** NOT_SERVING, then a graceful tryShutdown, then forceShutdown after the grace period. */
  shutdown(): Promise<void>;
}

/** uint64 fields must be non-negative integers or the protobuf writer throws. */
function toUint64(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function toInt64(value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0;
}

/** The proto answer: the snapshot without the HTTP-only fields, numbers made wire-safe. */
export function toGetStatsResponse(snapshot: StatsSnapshot): GetStatsResponse {
  return {
    mirrors: snapshot.mirrors.map((m) => ({
      ...m,
      sinceMs: toInt64(m.sinceMs),
      reservedBytes: toUint64(m.reservedBytes),
    })),
    servers: snapshot.servers.map((s) => ({
      ...s,
      capacityBytes: toUint64(s.capacityBytes),
      usedBytes: toUint64(s.usedBytes),
    })),
    mirrorsCreated: toUint64(snapshot.mirrorsCreated),
    mirrorsRemoved: toUint64(snapshot.mirrorsRemoved),
    mirrorsFailed: toUint64(snapshot.mirrorsFailed),
    lateMirrors: toUint64(snapshot.lateMirrors),
    generatedMs: toInt64(snapshot.generatedMs),
    predictionAccuracy: toProtoAccuracy(snapshot.accuracy),
    serviceLatencies: toProtoLatencies(snapshot.performance.latencies),
  };
}

function metadataText(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : value.toString();
}

/** Credentials from call metadata (`authorization: Bearer ...` or `x-api-key`), pdme:read required. */
async function authorize(
  auth: Authenticator | undefined,
  metadata: Metadata,
): Promise<Principal | undefined> {
  if (auth === undefined) return undefined;
  const token = presentedToken(metadataText(metadata, 'authorization'), metadataText(metadata, 'x-api-key'));
  return auth.require(token, 'pdme:read');
}

const MIN_WATCH_INTERVAL_MS = 250;
const DEFAULT_WATCH_INTERVAL_MS = 1_000;

/** What makes two answers "the same" for WatchStats: everything but the time it was generated. */
function fingerprint(response: GetStatsResponse): string {
  return Buffer.from(GetStatsResponse.encode({ ...response, generatedMs: 0 }).finish()).toString('base64');
}

function statsService(
  reader: StatsSource,
  logger: Logger,
  auth: Authenticator | undefined,
): StatsServiceServer {
  const logFailure = (method: string, error: unknown) => {
    const level = publicError(error).exposed ? 'warn' : 'error';
    logger[level]({ event: 'gateway.grpc.error', method, error: errorMessage(error) }, 'call failed');
  };
  const filterOf = (request: { cluster: string; resource: string }) =>
    parseStatsFilter({ cluster: request.cluster, resource: request.resource }, reader.clusters);
  return {
    getStats(call, callback) {
      authorize(auth, call.metadata)
        .then(() => reader.read(filterOf(call.request)))
        .then(
          (snapshot) => callback(null, toGetStatsResponse(snapshot)),
          (error: unknown) => {
            logFailure('GetStats', error);
            callback(grpcErrorStatus(error));
          },
        );
    },

    watchStats(call) {
      const request: WatchStatsRequest = call.request;
      const intervalMs = Math.max(MIN_WATCH_INTERVAL_MS, request.intervalMs || DEFAULT_WATCH_INTERVAL_MS);
      let timer: NodeJS.Timeout | undefined;
      let last: string | undefined;
      let ended = false;
      const end = () => {
        ended = true;
        if (timer !== undefined) clearTimeout(timer);
      };
      call.on('cancelled', end);
      call.on('close', end);
      const fail = (error: unknown) => {
        if (ended) return;
        end();
        logFailure('WatchStats', error);
        // grpc-js ends a server stream with the status of an emitted 'error'.
        call.emit('error', grpcErrorStatus(error));
      };
      const poll = async (): Promise<void> => {
        const response = toGetStatsResponse(await reader.read(filterOf(request)));
        const print = fingerprint(response);
        if (print !== last && !ended) {
          last = print;
          call.write(response);
        }
      };
      const loop = () => {
        if (ended) return;
        poll().then(() => {
          if (!ended) timer = setTimeout(loop, intervalMs);
        }, fail);
      };
      authorize(auth, call.metadata)
        .then(() => {
          filterOf(request); // a bad filter fails the call at once, not on the first poll
          loop();
        })
        .catch(fail);
    },
  };
}

/**
 * Descriptors for server reflection (`grpcurl -plaintext host:port list`): our stats.proto and the
 * health proto bundled with grpc-health-check, so grpcurl can call both without local protos.
 */
function addReflection(server: Server, protoDir: string): void {
  const healthRoot = resolve(dirname(healthProtoPath), '..', '..');
  const definition = loadSync(['pdme/v1/stats.proto', 'health/v1/health.proto'], {
    includeDirs: [protoDir, healthRoot],
  });
  new ReflectionService(definition).addToServer(server);
}

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts the gRPC API: StatsService (GetStats, WatchStats; credentials in metadata),
 * grpc.health.v1.Health and server reflection (both open, so probes and generic clients work).
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { reader, logger } = options;
  const server = new Server();
  server.addService(StatsServiceService, statsService(reader, logger, options.auth));

  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'NOT_SERVING'])),
  );
  health.addToServer(server);
  addReflection(server, options.protoDir ?? join(repoRoot(), 'proto'));

  const port = await new Promise<number>((resolvePort, reject) => {
    server.bindAsync(
      bindAddress(options.host, options.port),
      options.tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(
            options.tls.clientCa ?? null,
            [{ cert_chain: options.tls.cert, private_key: options.tls.key }],
            options.tls.clientCa !== undefined,
          ),
      (error, bound) => {
        if (error) reject(error);
        else resolvePort(bound);
      },
    );
  });
  // grpc-js >= 1.10 starts serving on bind; Server.start() is deprecated.
  for (const name of HEALTH_SERVICES) health.setStatus(name, 'SERVING');

  const graceMs = options.shutdownGraceMs ?? 5_000;
  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    health,
    shutdown() {
      stopping ??= new Promise<void>((done) => {
        for (const name of HEALTH_SERVICES) health.setStatus(name, 'NOT_SERVING');
        const timer = setTimeout(() => {
          logger.warn({ event: 'gateway.grpc.force_shutdown', graceMs }, 'cancelling calls still open');
          server.forceShutdown();
          done();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          done();
        });
      });
      return stopping;
    },
  };
}
