import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * A self-signed ECDSA P-256 certificate for `host`, valid one year, made like go-livepeer does at every
 * start (PROTOCOL.md §2.1: SAN = service URI host). Made with the `openssl` CLI (OpenSSL ≥ 1.1.1 for
 * -addext): node:crypto can make the key but has no X.509 builder, and a hand-written DER encoder is
 * more code to trust than one well-known binary. Gateways skip verification, so any cert works.
 */
export async function selfSignedCertificate(host: string, opensslPath = 'openssl'): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'lpts-orch-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const san = isIP(host) ? `IP:${host}` : `DNS:${host}`;
    await run(opensslPath, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '365', '-subj', `/CN=${host}`, '-addext', `subjectAltName=${san}`,
    ]);
    return { cert: await readFile(certFile), key: await readFile(keyFile) };
  } catch (e) {
    throw new Error(`cannot create a self-signed TLS certificate with ${opensslPath}: ${(e as Error).message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function loadTls(certFile: string | undefined, keyFile: string | undefined, serviceHost: string): Promise<TlsMaterial> {
  if (certFile !== undefined && keyFile !== undefined) return { cert: await readFile(certFile), key: await readFile(keyFile) };
  return selfSignedCertificate(serviceHost);
}
