import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/**
 * Small generic clients for the standard services the gateway exposes (health, reflection), built
 * from the .proto files the server-side packages bundle, so tests need no generated code.
 */

const require = createRequire(import.meta.url);
const reflectionProtoDir = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');

type Message = Record<string, unknown>;

function method(
  file: string,
  includeDirs: string[],
  service: string,
  name: string,
): MethodDefinition<object, object> {
  const definition = loadSync(file, {
    keepCase: true,
    enums: String,
    longs: Number,
    defaults: true,
    oneofs: true,
    includeDirs,
  });
  const svc = definition[service];
  if (svc === undefined || 'format' in svc) throw new Error(`no service ${service} in ${file}`);
  const found = svc[name];
  if (found === undefined) throw new Error(`no method ${service}/${name}`);
  return found;
}

function asMessage(value: unknown): Message {
  return typeof value === 'object' && value !== null ? (value as Message) : {};
}

export function grpcClient(address: string): Client {
  return new Client(address, credentials.createInsecure());
}

const healthCheck = method(healthProtoPath, [], 'grpc.health.v1.Health', 'Check');
const healthWatch = method(healthProtoPath, [], 'grpc.health.v1.Health', 'Watch');

/** grpc.health.v1.Health/Check: resolves the status name (e.g. 'SERVING'), rejects with the ServiceError. */
export function checkHealth(client: Client, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      healthCheck.path,
      healthCheck.requestSerialize,
      healthCheck.responseDeserialize,
      { service },
      { deadline: Date.now() + 5_000 },
      (error: ServiceError | null, response?: object) => {
        if (error) reject(error);
        else resolve(String(asMessage(response)['status']));
      },
    );
  });
}

/** grpc.health.v1.Health/Watch: every status the server sends, until the call ends (by any status). */
export function watchHealth(
  client: Client,
  service: string,
  onStatus: (status: string) => void,
): Promise<void> {
  const call = client.makeServerStreamRequest(
    healthWatch.path,
    healthWatch.requestSerialize,
    healthWatch.responseDeserialize,
    { service },
  );
  call.on('data', (response: unknown) => onStatus(String(asMessage(response)['status'])));
  return new Promise((resolve) => {
    call.on('error', () => resolve());
    call.on('end', () => resolve());
  });
}

type ReflectionVersion = 'v1' | 'v1alpha';

function reflectionMethod(version: ReflectionVersion) {
  return method(
    `grpc/reflection/${version}/reflection.proto`,
    [reflectionProtoDir],
    `grpc.reflection.${version}.ServerReflection`,
    'ServerReflectionInfo',
  );
}

/** One request/response exchange on the ServerReflectionInfo bidi stream. */
export function reflect(client: Client, version: ReflectionVersion, request: Message): Promise<Message> {
  const info = reflectionMethod(version);
  const call = client.makeBidiStreamRequest(info.path, info.requestSerialize, info.responseDeserialize, {
    deadline: Date.now() + 5_000,
  });
  return new Promise((resolve, reject) => {
    call.once('data', (response: unknown) => {
      resolve(asMessage(response));
      call.end();
    });
    call.once('error', reject);
    call.write(request);
  });
}

/** The fully qualified service names that server reflection lists (what `grpcurl list` prints). */
export async function listServices(client: Client, version: ReflectionVersion = 'v1'): Promise<string[]> {
  const response = await reflect(client, version, { list_services: '*' });
  const services = asMessage(response['list_services_response'])['service'];
  return Array.isArray(services) ? services.map((s: unknown) => String(asMessage(s)['name'])) : [];
}
