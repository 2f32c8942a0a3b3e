import { dirname, join, resolve } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { errorMessage } from '@pdme/common/errors';
import type { Logger } from '@pdme/common/logging';
import { StatsServiceService, type GetStatsResponse, type StatsServiceServer } from '@pdme/common/proto';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { grpcErrorStatus, publicError } from './errorMapping.js';
import { findRepoRoot } from './repoRoot.js';
import { parseStatsFilter, type StatsFilter } from './statsFilter.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';

export const STATS_SERVICE_NAME = 'pdme.v1.StatsService';
/** Services the health service reports on: '' is the whole server. */
const HEALTH_SERVICES = ['', STATS_SERVICE_NAME] as const;

export interface GrpcServerOptions {
  readonly host: string;
  /** 0 picks a free port; the bound one is in the result. */
  readonly port: number;
  readonly reader: StatsSource;
  readonly logger: Logger;
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
  };
}

function statsService(reader: StatsSource, logger: Logger): StatsServiceServer {
  return {
    getStats(call, callback) {
      let filter: StatsFilter;
      try {
        filter = parseStatsFilter(
          { cluster: call.request.cluster, resource: call.request.resource },
          reader.clusters,
        );
      } catch (error) {
        callback(grpcErrorStatus(error));
        return;
      }
      reader.read(filter).then(
        (snapshot) => callback(null, toGetStatsResponse(snapshot)),
        (error: unknown) => {
          const level = publicError(error).exposed ? 'warn' : 'error';
          logger[level](
            { event: 'gateway.grpc.error', method: 'GetStats', error: errorMessage(error) },
            'call failed',
          );
          callback(grpcErrorStatus(error));
        },
      );
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

/** Starts the gRPC API: StatsService.GetStats, grpc.health.v1.Health and server reflection. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { reader, logger } = options;
  const server = new Server();
  server.addService(StatsServiceService, statsService(reader, logger));

  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'NOT_SERVING'])),
  );
  health.addToServer(server);
  addReflection(server, options.protoDir ?? join(findRepoRoot(), 'proto'));

  const port = await new Promise<number>((resolvePort, reject) => {
    server.bindAsync(
      bindAddress(options.host, options.port),
      ServerCredentials.createInsecure(),
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
