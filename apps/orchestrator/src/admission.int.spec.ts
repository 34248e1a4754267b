import { DEFAULT_CAPABILITIES } from '@lpts/protocol';
import type { TranscodeBackend, TranscodeOutcome, TranscodeRequest } from './transcode/transcode-backend';
import { Harness, decodeResult, grpcCall } from './testing/orchestrator.testkit';

jest.setTimeout(60_000);

/** A backend whose segments finish only when the spec says so. */
class GatedBackend implements TranscodeBackend {
  readonly pending: { req: TranscodeRequest; done: () => void }[] = [];
  ended: string[] = [];
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  endSession = (id: string) => void this.ended.push(id);
  capacity = () => ({ total: 8, inUse: this.pending.length, workers: 1 });
  capabilities = () => new Map(DEFAULT_CAPABILITIES.map((c) => [c as number, 8]));
  transcode(req: TranscodeRequest): Promise<TranscodeOutcome> {
    return new Promise((resolve) => {
      this.pending.push({
        req,
        done: () =>
          resolve({
            workerId: 'gated',
            attempts: 1,
            renditions: req.renditions.map((r) => ({ name: r.name, data: Buffer.alloc(1000, 1), pixels: r.width * r.height, frames: 1 })),
          }),
      });
    });
  }
  async waitFor(n: number): Promise<void> {
    while (this.pending.length < n) await new Promise((r) => setTimeout(r, 10));
  }
}

describe('admission: OrchestratorCapped and OrchestratorBusy', () => {
  const backend = new GatedBackend();
  const h = new Harness();
  const body = Buffer.alloc(5000, 7);

  beforeAll(() => h.start({ backend, env: { ORCH_MAX_SESSIONS: '1', ORCH_SESSION_QUEUE_DEPTH: '1' } }));
  afterAll(() => h.stop());

  it('caps sessions, keeps one queue per session and ends sessions on request', async () => {
    const info = await h.getOrchestrator();
    const info2 = await h.getOrchestrator(); // a second gateway session, quoted while there was room
    const first = h.postSegment(body, h.segData(body, info, { seq: 1n }), h.payment(info, 1));
    await backend.waitFor(1);
    // one session is open: a new one is capped at GetOrchestrator (gRPC) and at /segment (403)
    const capped = (await h.getOrchestrator().catch((e: unknown) => e)) as { code: number; details: string };
    expect(capped.code).toBe(2);
    expect(decodeURIComponent(capped.details)).toBe('Invalid orchestrator request: OrchestratorCapped');
    const r403 = await h.postSegment(body, h.segData(body, info2, { seq: 1n }), h.payment(info2, 1));
    expect([r403.status, r403.body.toString()]).toEqual([403, 'OrchestratorCapped\n']);
    // the open session may queue one more segment; a third is busy (after the 200, in the result)
    const second = h.postSegment(body, h.segData(body, info, { seq: 2n }), h.payment(info, 0));
    await new Promise((r) => setTimeout(r, 300));
    const third = await h.postSegment(body, h.segData(body, info, { seq: 3n }), h.payment(info, 0));
    expect(third.status).toBe(200);
    expect(decodeResult(third.body).result).toEqual({ case: 'error', value: 'OrchestratorBusy' });
    backend.pending[0]?.done();
    expect(decodeResult((await first).body).result.case).toBe('data');
    await backend.waitFor(2);
    backend.pending[1]?.done();
    const r2 = decodeResult((await second).body);
    expect(r2.result.case).toBe('data');
    expect(r2.seq).toBe(2n);
    expect(backend.pending.map((p) => p.req.sessionId)).toEqual([info.authToken?.sessionId, info.authToken?.sessionId]);
    // EndTranscodingSession frees the slot
    const t = info.authToken;
    await grpcCall(h.grpc, 'EndTranscodingSession', { auth_token: { token: Buffer.from(t?.token ?? []), session_id: t?.sessionId, expiration: String(t?.expiration) } });
    expect(backend.ended).toContain(t?.sessionId);
    await expect(h.getOrchestrator()).resolves.toBeDefined();
  });
});
