import { RedemptionLedger } from './ledger';
import { redactUrl } from './sql-driver';

describe('ledger (no database)', () => {
  it('opens lazily: nothing is connected until a query, and close() of an unused ledger is a no-op', async () => {
    // Port 1 refuses connections: an eager open would fail here.
    const ledger = await RedemptionLedger.open('postgres://u:secret@127.0.0.1:1/ledger', { lazy: true });
    await ledger.close();
    await expect(ledger.countByState()).rejects.toThrow(/closed/);
  });

  it('a lazy ledger reports a failed open on use (password hidden) and tries again on the next query', async () => {
    const ledger = await RedemptionLedger.open('postgres://u:secret@127.0.0.1:1/ledger', { lazy: true });
    try {
      const e = (await ledger.countByState().catch((x: unknown) => x)) as Error;
      expect(e.message).toMatch(/^ledger postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/ledger: /);
      expect(e.message).not.toContain('secret');
      await expect(ledger.countByState()).rejects.toThrow(/ECONNREFUSED|connect/);
    } finally {
      await ledger.close();
    }
  });

  it('refuses an unknown scheme', async () => {
    await expect(RedemptionLedger.open('mysql://u:p@localhost/db')).rejects.toThrow(/LEDGER_URL mysql:\/\/u:\*\*\*@localhost\/db: expected/);
  });

  it('redacts passwords only', () => {
    expect(redactUrl('postgres://u:p@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://postgres@h/db')).toBe('postgres://postgres@h/db');
    expect(redactUrl('pglite://./x')).toBe('pglite://./x');
  });
});
