import { existsSync } from 'node:fs';

export type InfraMode = 'local' | 'containers';

export class InfraModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraModeError';
  }
}

/** Cheap synchronous guess whether a Docker-compatible engine is reachable. */
export function dockerLikelyAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['DOCKER_HOST'] || env['TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE']) return true;
  const sockets = ['/var/run/docker.sock', '/run/docker.sock', `${env['HOME'] ?? ''}/.docker/run/docker.sock`];
  if (env['XDG_RUNTIME_DIR']) sockets.push(`${env['XDG_RUNTIME_DIR']}/docker.sock`, `${env['XDG_RUNTIME_DIR']}/podman/podman.sock`);
  return sockets.some((s) => existsSync(s));
}

/**
 * How integration infrastructure is started: `LPTS_INFRA=local` (default) runs local binaries,
 * `LPTS_INFRA=containers` uses testcontainers and throws when no Docker engine can be found.
 */
export function infraMode(
  env: NodeJS.ProcessEnv = process.env,
  dockerAvailable: (env: NodeJS.ProcessEnv) => boolean = dockerLikelyAvailable,
): InfraMode {
  const raw = (env['LPTS_INFRA'] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'local') return 'local';
  if (raw === 'containers' || raw === 'container' || raw === 'docker' || raw === 'testcontainers') {
    if (!dockerAvailable(env)) {
      throw new InfraModeError(
        'LPTS_INFRA=containers but no Docker engine was found (no DOCKER_HOST, no docker.sock). ' +
          'Start Docker, or unset LPTS_INFRA to use local binaries (install them with `bash scripts/infra.sh --no-start`).',
      );
    }
    return 'containers';
  }
  throw new InfraModeError(`LPTS_INFRA must be "local" or "containers", got "${env['LPTS_INFRA']}"`);
}
