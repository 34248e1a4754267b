import { JobError } from '@lpts/media';
import type { TranscodeJobJson } from '@lpts/protocol';
import {
  concatRenditions,
  decodeErrorBody,
  decodeJobHeader,
  decodeResultHeader,
  encodeErrorBody,
  encodeJobHeader,
  encodeResultHeader,
  httpStatusOf,
  splitRenditions,
} from './codec';
import { DispatchError, isDispatchError, isJobError } from './errors';

const job: TranscodeJobJson = {
  jobId: 'j1',
  sessionId: 's1',
  timeoutMs: 10_000,
  renditions: [{ name: 'P360p', width: 640, height: 360, bitrateBps: 600_000, fps: 0, fpsDen: 0, format: 'mpegts', h264Profile: 'default', gopMs: 0 }],
};

describe('transcode HTTP codec', () => {
  it('round-trips the job and result headers', () => {
    expect(decodeJobHeader(encodeJobHeader(job))).toEqual(job);
    const result = { jobId: 'j1', renditions: [{ name: 'a', pixels: 10, bytes: 3, frames: 1 }] };
    expect(decodeResultHeader(encodeResultHeader(result))).toEqual(result);
  });

  it('rejects a missing, non-JSON or invalid job header with INVALID_JOB (HTTP 400)', () => {
    for (const bad of [undefined, '!!!', Buffer.from('{"jobId":""}').toString('base64')]) {
      const err = (() => {
        try {
          decodeJobHeader(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isDispatchError(err, 'INVALID_JOB')).toBe(true);
      expect(httpStatusOf(err)).toBe(400);
    }
  });

  it('splits the body by the result lengths and refuses lengths that do not cover it', () => {
    const parts = [Buffer.from('abc'), Buffer.from('defgh')];
    const result = { jobId: 'j', renditions: [{ name: 'a', pixels: 1, bytes: 3, frames: 1 }, { name: 'b', pixels: 1, bytes: 5, frames: 1 }] };
    const split = splitRenditions(concatRenditions(parts), result);
    expect(split.map((b) => b.toString())).toEqual(['abc', 'defgh']);
    expect(() => splitRenditions(Buffer.from('abc'), result)).toThrow(DispatchError);
  });

  it('rebuilds a JobError from a worker error body, and maps codes to HTTP statuses', () => {
    const e = new JobError('INVALID_MEDIA', 'Invalid data found when processing input', { details: { inputBytes: 5 } });
    const back = decodeErrorBody(422, Buffer.from(encodeErrorBody(e)));
    expect(isJobError(back, 'INVALID_MEDIA')).toBe(true);
    expect(back.details).toEqual({ inputBytes: 5 });
    expect(httpStatusOf(e)).toBe(422);
    expect(httpStatusOf(new JobError('ENCODER_FAILED', 'Transcoder failed'))).toBe(500);
    expect(httpStatusOf(new DispatchError('WORKER_BUSY', 'busy'))).toBe(503);
    expect(httpStatusOf(new JobError('TIMEOUT', 't'))).toBe(504);
    expect(httpStatusOf(new Error('x'))).toBe(500);
    const garbage = decodeErrorBody(502, Buffer.from('<html>'));
    expect(isDispatchError(garbage, 'INVALID_RESPONSE')).toBe(true);
    expect(garbage.retryable).toBe(true);
  });
});
