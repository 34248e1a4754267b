import { InMemoryBalances } from './balances';
import { balancesConformance, seenNoncesConformance } from './conformance';
import { InMemorySeenNonces } from './seen-nonces';

describe('InMemorySeenNonces conformance', () => {
  for (const c of seenNoncesConformance((limit) => new InMemorySeenNonces(limit))) it(c.name, c.run);
});

describe('InMemoryBalances conformance', () => {
  for (const c of balancesConformance((clock, ttl) => new InMemoryBalances(clock, ttl))) it(c.name, c.run);
});
