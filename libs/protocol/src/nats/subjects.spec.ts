import { BrokerCommands } from './messages';
import { defineCommand, defineEvent, zDecimal } from './registry';
import { buildSubject, isSubjectError, subjectPattern, wildcardSubject } from './subjects';
import { z } from 'zod';

describe('NATS subject builders', () => {
  it.each([
    [{ domain: 'broker', kind: 'cmd', entity: 'payment', action: 'validate' }, 'broker.cmd.payment.validate'],
    [{ domain: 'settlement', kind: 'evt', entity: 'round', action: 'initialized' }, 'settlement.evt.round.initialized'],
    [{ domain: 'worker', kind: 'evt', entity: 'capacity', action: 'report' }, 'worker.evt.capacity.report'],
  ] as const)('pattern %j → %s', (parts, expected) => {
    expect(subjectPattern(parts)).toBe(expected);
  });

  it('golden subjects with prefix and id', () => {
    expect(buildSubject('lp', 'broker.cmd.payment.validate')).toBe('lp.broker.cmd.payment.validate');
    expect(buildSubject('t1a2b.lp', 'broker.cmd.payment.validate', '0xAbC123')).toBe('t1a2b.lp.broker.cmd.payment.validate.0xAbC123');
    expect(wildcardSubject('lp', 'worker.evt.capacity.report')).toBe('lp.worker.evt.capacity.report.*');
    expect(BrokerCommands.ping.subject('lp')).toBe('lp.broker.cmd.service.ping');
  });

  it.each(['', 'Upper', 'a.b', 'a*', '>', 'has space', '-lead'])('rejects token %j with a typed error naming it', (bad) => {
    let caught: unknown;
    try {
      subjectPattern({ domain: bad, kind: 'cmd', entity: 'x', action: 'y' });
    } catch (e) {
      caught = e;
    }
    expect(isSubjectError(caught, 'INVALID_TOKEN')).toBe(true);
    expect((caught as Error).message).toContain(`"${bad}"`);
  });

  it.each(['', '.lp', 'lp.', 'lp..x', 'LP', 'lp.*'])('rejects prefix %j', (bad) => {
    expect(() => buildSubject(bad, 'a.cmd.b.c')).toThrow(/invalid subject prefix/);
  });

  it('rejects ids with wildcards or dots', () => {
    expect(() => buildSubject('lp', 'a.cmd.b.c', 'x.y')).toThrow(/invalid subject id token/);
    expect(() => buildSubject('lp', 'a.cmd.b.c', '*')).toThrow(/invalid subject id token/);
  });

  it('defines commands and events with schemas', () => {
    const cmd = defineCommand({ domain: 'demo', entity: 'thing', action: 'get', request: z.object({ n: zDecimal }), reply: z.object({ ok: z.boolean() }) });
    const evt = defineEvent({ domain: 'demo', entity: 'thing', action: 'changed', payload: z.object({ n: zDecimal }), withId: true });
    expect(cmd.pattern).toBe('demo.cmd.thing.get');
    expect(evt.subject('lp', 'abc')).toBe('lp.demo.evt.thing.changed.abc');
    expect(cmd.request.safeParse({ n: '12' }).success).toBe(true);
    expect(cmd.request.safeParse({ n: '-1' }).success).toBe(false);
  });
});
