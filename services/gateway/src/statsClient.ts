import {
  credentials as grpcCredentials,
  Metadata,
  status as GrpcStatus,
  type ChannelCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  StatsServiceClient,
  type GetStatsRequest,
  type GetStatsResponse,
  type WatchStatsRequest,
} from '@pdme/common/proto';

export interface PdmeStatsClientOptions {
  /** host:port of the gateway's gRPC server. */
  readonly address: string;
  /** An API key or JWT with pdme:read, sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Default: plaintext (local stack); pass TLS credentials in production. */
  readonly credentials?: ChannelCredentials;
  /** Per-call deadline. Default 10 s. */
  readonly timeoutMs?: number;
}

/** A small promise/async-iterator client for the gateway's StatsService. */
export class PdmeStatsClient {
  private readonly client: StatsServiceClient;
  private readonly timeoutMs: number;

  constructor(private readonly options: PdmeStatsClientOptions) {
    this.client = new StatsServiceClient(
      options.address,
      options.credentials ?? grpcCredentials.createInsecure(),
    );
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.options.token !== undefined) metadata.set('authorization', `Bearer ${this.options.token}`);
    return metadata;
  }

  getStats(request: Partial<GetStatsRequest> = {}): Promise<GetStatsResponse> {
    return new Promise((resolve, reject) => {
      this.client.getStats(
        { cluster: request.cluster ?? '', resource: request.resource ?? '' },
        this.metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (error: ServiceError | null, response: GetStatsResponse) =>
          error ? reject(error) : resolve(response),
      );
    });
  }

  /** Stats now and on every change; stop by breaking out of the loop or with `signal`. */
  async *watchStats(
    request: Partial<WatchStatsRequest> = {},
    signal?: AbortSignal,
  ): AsyncGenerator<GetStatsResponse> {
    const stream = this.client.watchStats(
      {
        cluster: request.cluster ?? '',
        resource: request.resource ?? '',
        intervalMs: request.intervalMs ?? 0,
      },
      this.metadata(),
    );
    const cancel = () => stream.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const response of stream as AsyncIterable<GetStatsResponse>) yield response;
    } catch (error) {
      if ((error as Partial<ServiceError>).code !== GrpcStatus.CANCELLED) throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
      stream.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
