import { Readable, Writable } from 'node:stream';
import { multipartBoundary, pipeMultipartFile } from './multipart-file';

const boundary = '----lpts1234';
const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

function body(parts: string[], fileBytes = file): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nclip\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
    fileBytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
    ...parts.map((p) => Buffer.from(p)),
  ]);
}

function sink(): { out: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
  return { out, data: () => Buffer.concat(chunks) };
}

function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

describe('pipeMultipartFile', () => {
  it('reads the boundary of a form-data content type', () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${boundary}`)).toBe(boundary);
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeUndefined();
  });

  it.each([1, 7, 13, 64, 100_000])('extracts the file part exactly with %i-byte chunks', async (size) => {
    const s = sink();
    const n = await pipeMultipartFile(chunked(body([]), size), boundary, s.out, 1 << 20);
    expect(n).toBe(file.length);
    expect(s.data().equals(file)).toBe(true);
  });

  it('rejects a file over the limit and a body without a file part', async () => {
    await expect(pipeMultipartFile(chunked(body([]), 100), boundary, sink().out, 1000)).rejects.toMatchObject({ family: 'GatewayError', code: 'SEGMENT_TOO_LARGE' });
    const noFile = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="url"\r\n\r\nx\r\n--${boundary}--\r\n`);
    await expect(pipeMultipartFile(chunked(noFile, 5), boundary, sink().out, 1000)).rejects.toMatchObject({ family: 'GatewayError', code: 'BAD_REQUEST' });
  });
});
