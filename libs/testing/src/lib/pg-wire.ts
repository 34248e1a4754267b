import { createHash } from 'node:crypto';
import { Socket } from 'node:net';

/** Result of one simple-protocol query: rows as text, keyed by column name. */
export interface PgResult {
  command: string;
  rows: Record<string, string | null>[];
}

export class PgQueryError extends Error {
  constructor(
    message: string,
    readonly sqlState: string | undefined,
  ) {
    super(message);
    this.name = 'PgQueryError';
  }
}

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function parseError(body: Buffer): PgQueryError {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i] ?? 0);
    const end = body.indexOf(0, i + 1);
    fields[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return new PgQueryError(`${fields['S'] ?? 'ERROR'}: ${fields['M'] ?? 'unknown error'}`, fields['C']);
}

/**
 * Runs SQL over PostgreSQL's simple query protocol, on a fresh connection, with trust, cleartext or
 * md5 authentication (not SCRAM). A test helper: enough to probe and seed the servers started here,
 * not a driver. Several statements separated by `;` are allowed; the rows of the last one are returned.
 */
export function pgQuery(url: string, sql: string, timeoutMs = 5000): Promise<PgResult> {
  const u = new URL(url);
  const user = decodeURIComponent(u.username || 'postgres');
  const password = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const port = Number(u.port || 5432);
  const host = u.hostname || '127.0.0.1';

  return new Promise<PgResult>((resolve, reject) => {
    const sock = new Socket();
    let buf = Buffer.alloc(0);
    let columns: string[] = [];
    let result: PgResult = { command: '', rows: [] };
    let error: PgQueryError | undefined;
    let queried = false;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!sock.destroyed) {
        if (!err) sock.write(message('X', Buffer.alloc(0)));
        sock.destroy();
      }
      if (err) reject(err);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(new Error(`pgQuery: no answer from ${host}:${port} in ${timeoutMs} ms`)), timeoutMs);

    const handle = (type: string, body: Buffer): void => {
      switch (type) {
        case 'R': {
          const code = body.readInt32BE(0);
          if (code === 0) return;
          if (code === 3) sock.write(message('p', cstr(password)));
          else if (code === 5) {
            const inner = createHash('md5').update(password + user).digest('hex');
            const outer = createHash('md5').update(Buffer.concat([Buffer.from(inner), body.subarray(4, 8)])).digest('hex');
            sock.write(message('p', cstr(`md5${outer}`)));
          } else finish(new Error(`pgQuery: unsupported authentication method ${code} (only trust, password, md5)`));
          return;
        }
        case 'E':
          error = parseError(body);
          if (!queried) finish(error); // errors before the query (e.g. "the database system is starting up")
          return;
        case 'Z':
          if (!queried) {
            queried = true;
            sock.write(message('Q', cstr(sql)));
          } else if (error) finish(error);
          else finish();
          return;
        case 'T': {
          const n = body.readInt16BE(0);
          columns = [];
          let i = 2;
          for (let c = 0; c < n; c++) {
            const end = body.indexOf(0, i);
            columns.push(body.toString('utf8', i, end));
            i = end + 1 + 18;
          }
          result = { command: '', rows: [] };
          return;
        }
        case 'D': {
          const n = body.readInt16BE(0);
          const row: Record<string, string | null> = {};
          let i = 2;
          for (let c = 0; c < n; c++) {
            const len = body.readInt32BE(i);
            i += 4;
            row[columns[c] ?? `?column${c}?`] = len < 0 ? null : body.toString('utf8', i, i + len);
            if (len > 0) i += len;
          }
          result.rows.push(row);
          return;
        }
        case 'C': {
          const command = body.toString('utf8', 0, body.length - 1);
          if (columns.length === 0) result = { command, rows: [] };
          else result.command = command;
          columns = [];
          return;
        }
        default:
          return; // S (parameter status), K (backend key), N (notice), I (empty query)
      }
    };

    sock.once('error', (e) => finish(e));
    sock.once('close', () => finish(new Error(`pgQuery: connection to ${host}:${port} closed`)));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5) {
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) break;
        const type = String.fromCharCode(buf[0] ?? 0);
        const body = buf.subarray(5, len + 1);
        buf = buf.subarray(len + 1);
        handle(type, body);
        if (settled) return;
      }
    });
    sock.connect(port, host, () => {
      const params = Buffer.concat([cstr('user'), cstr(user), cstr('database'), cstr(database), cstr('client_encoding'), cstr('UTF8'), Buffer.from([0])]);
      const head = Buffer.alloc(8);
      head.writeInt32BE(params.length + 8, 0);
      head.writeInt32BE(196608, 4);
      sock.write(Buffer.concat([head, params]));
    });
  });
}
