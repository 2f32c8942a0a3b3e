// The secure profile's private CA and per-component certificates, made with the openssl CLI at every
// fresh start: nothing long-lived, nothing checked in. Keys are P-256 (fast to make), PKCS#8, mode 0600.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './host.js';

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

export interface CertRequest {
  /** File stem and subject CN, e.g. `kafka-broker` (CN=kafka-broker is then its TLS principal). */
  readonly name: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

const DAYS = '30';

function openssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(requireExecutable('openssl', 'openssl'), [...args], (error, _stdout, stderr) => {
      if (error)
        reject(new Error(`stack: openssl ${args[0] ?? ''} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

export class LocalCa {
  readonly caFile: string;
  private readonly caKey: string;

  constructor(private readonly dir: string) {
    this.caFile = join(dir, 'ca.pem');
    this.caKey = join(dir, 'ca.key');
  }

  /** Creates the CA once per stack directory (a fresh secure stack starts with a new one). */
  async ensure(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    if (existsSync(this.caFile) && existsSync(this.caKey)) return;
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      this.caKey,
      '-out',
      this.caFile,
      '-days',
      DAYS,
      '-subj',
      '/CN=PDME local secure-profile CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    chmodSync(this.caKey, 0o600);
  }

  /** A leaf certificate for a server (and client: the Kafka broker is both) signed by the CA. */
  async issue(request: CertRequest): Promise<CertFiles> {
    const key = join(this.dir, `${request.name}.key`);
    const cert = join(this.dir, `${request.name}.pem`);
    if (existsSync(key) && existsSync(cert)) return { cert, key };
    const csr = join(this.dir, `${request.name}.csr`);
    const ext = join(this.dir, `${request.name}.ext`);
    const san = [
      ...(request.dnsNames ?? []).map((n) => `DNS:${n}`),
      ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ];
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
      ].join('\n'),
    );
    await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      `/CN=${request.name}`,
    ]);
    chmodSync(key, 0o600);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.caFile,
      '-CAkey',
      this.caKey,
      // A random serial per certificate: a shared serial file would race when certificates are issued in parallel.
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      DAYS,
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
    return { cert, key };
  }

  /** Key then certificate in one PEM file: Kafka's `ssl.keystore.type=PEM` keystore. */
  keystore(files: CertFiles, name: string): string {
    const file = join(this.dir, `${name}.keystore.pem`);
    writeFileSync(file, `${readFileSync(files.key, 'utf8')}${readFileSync(files.cert, 'utf8')}`, {
      mode: 0o600,
    });
    return file;
  }
}
