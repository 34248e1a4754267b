import { Controller, Get } from '@nestjs/common';
import { formatPrice } from '@lpts/protocol';
import { OrchestratorRegistry } from '../discovery/orchestrator-registry';

/** The registry as the gateway sees it (A11: why an orchestrator is or is not used). */
@Controller('orchestrators')
export class OrchestratorsController {
  constructor(private readonly registry: OrchestratorRegistry) {}

  @Get()
  list(): unknown {
    const now = Date.now();
    return {
      lastRefresh: this.registry.lastReport ?? null,
      orchestrators: this.registry.all().map((e) => ({
        uri: e.uri,
        source: e.source,
        address: e.address ?? null,
        transcoder: e.info?.transcoder ?? null,
        price: e.price ? formatPrice(e.price) : null,
        stake: e.stake.toString(),
        reachable: e.reachable,
        blocklisted: this.registry.isBlocked(e),
        suspendedForMs: Math.max(0, e.suspendedUntil - now),
        suspension: e.suspension ?? null,
        lastError: e.lastError ?? null,
        discoveryLatencyMs: e.discoveryLatencyMs ?? null,
        latencyRatio: e.latencyRatio ?? null,
        successRate: e.successRate,
        attempts: e.attempts,
        authTokenExpiresAt: e.info?.authToken ? Number(e.info.authToken.expiration) : null,
      })),
    };
  }
}
