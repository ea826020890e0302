// The SQL limit enforcement of DAS-INCIDENT-API.md §4.10 A: a MySQL-protocol proxy in front of the
// instance's MariaDB. The handshake passes through (TLS and compression are taken out of the
// server's offer); every COM_QUERY, and every COM_STMT_EXECUTE by the text of its COM_STMT_PREPARE,
// is admitted against the instance's rules. A refused statement never reaches MariaDB: the proxy
// answers `ERROR 1317 (70100): Query execution was interrupted` itself and the connection stays
// open. An admitted statement counts until the last packet of its answer has passed.
import net, { type AddressInfo } from 'node:net';
import type { Admission, SqlLimitInstance } from './state.ts';

export interface SqlLimitProxyOptions {
  upstream: { host: string; port: number };
  state: SqlLimitInstance;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface SqlLimitProxy {
  host: string;
  port: number;
  /** Client connections open now. */
  connections(): number;
  close(): Promise<void>;
}

// Command bytes and flags of the MySQL client/server protocol.
const COM_INIT_DB = 0x02;
const COM_QUERY = 0x03;
const COM_CHANGE_USER = 0x11;
const COM_STMT_PREPARE = 0x16;
const COM_STMT_EXECUTE = 0x17;
const COM_STMT_CLOSE = 0x19;
const CLIENT_LONG_PASSWORD = 0x1; // "CLIENT_MYSQL": unset by MariaDB servers that send extended capabilities
const CLIENT_CONNECT_WITH_DB = 0x8;
const CLIENT_COMPRESS = 0x20;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 0x200000;
const CLIENT_DEPRECATE_EOF = 0x1000000;
const SERVER_MORE_RESULTS_EXISTS = 0x0008;
const SERVER_STATUS_CURSOR_EXISTS = 0x0040;
const MAX_PAYLOAD = 0xffffff;
/** Enough of a packet's payload to read any OK/EOF status, a column count or a prepare answer. */
const HEAD_BYTES = 32;

export const ER_QUERY_INTERRUPTED = { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' } as const;

/** A MySQL ERR packet (protocol 4.1): 0xFF, errno (LE), '#', SQLSTATE, message. */
export function errPacket(sequenceId: number, errno: number, sqlState: string, message: string): Buffer {
  const payload = Buffer.concat([Buffer.from([0xff, errno & 0xff, errno >> 8]), Buffer.from(`#${sqlState}`, 'ascii'), Buffer.from(message, 'utf8')]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, sequenceId & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Reads a length-encoded integer at `at`: [value, bytes used], or undefined if `buf` is too short. */
function lenenc(buf: Buffer, at: number): [number, number] | undefined {
  const b = buf[at];
  if (b === undefined) return undefined;
  if (b < 0xfb) return [b, 1];
  const size = b === 0xfc ? 2 : b === 0xfd ? 3 : b === 0xfe ? 8 : 0;
  if (size === 0 || at + 1 + size > buf.length) return b === 0xfb ? [0, 1] : undefined;
  return [size === 8 ? Number(buf.readBigUInt64LE(at + 1)) : buf.readUIntLE(at + 1, size), 1 + size];
}

/** Status flags of an OK packet (0x00 or, with DEPRECATE_EOF, 0xFE header) whose head is `head`. */
function okStatus(head: Buffer): number {
  const affected = lenenc(head, 1);
  if (!affected) return 0;
  const insertId = lenenc(head, 1 + affected[1]);
  if (!insertId) return 0;
  const at = 1 + affected[1] + insertId[1];
  return at + 2 <= head.length ? head.readUInt16LE(at) : 0;
}

/** Follows one statement's answer packet by packet; `feed` returns true after its last packet. */
export class AnswerTracker {
  #state: 'first' | 'columns' | 'columnsEof' | 'rows' = 'first';
  #columnsLeft = 0;
  constructor(readonly deprecateEof: boolean) {}

  feed(head: Buffer, length: number): boolean {
    const b0 = head[0];
    switch (this.#state) {
      case 'first': {
        if (b0 === 0x00) return (okStatus(head) & SERVER_MORE_RESULTS_EXISTS) === 0;
        if (b0 === 0xff) return true;
        if (b0 === 0xfb) return false; // LOCAL INFILE: the client sends the file, then OK/ERR follows
        const count = lenenc(head, 0);
        this.#columnsLeft = count ? count[0] : 0;
        this.#state = this.#columnsLeft > 0 ? 'columns' : 'first';
        return false;
      }
      case 'columns':
        if (--this.#columnsLeft === 0) this.#state = this.deprecateEof ? 'rows' : 'columnsEof';
        return false;
      case 'columnsEof':
        if (b0 === 0xff) return true;
        this.#state = 'rows';
        // A server-side cursor: the rows come with COM_STMT_FETCH later; this statement is over.
        return b0 === 0xfe && length < 9 && head.length >= 5 && (head.readUInt16LE(3) & SERVER_STATUS_CURSOR_EXISTS) !== 0;
      case 'rows': {
        let status: number | undefined;
        if (b0 === 0xfe && length < 9) status = head.length >= 5 ? head.readUInt16LE(3) : 0;
        else if (b0 === 0xfe && this.deprecateEof && length < MAX_PAYLOAD) status = okStatus(head);
        else if (b0 === 0xff) return true;
        if (status === undefined) return false;
        if ((status & SERVER_MORE_RESULTS_EXISTS) === 0) return true;
        this.#state = 'first';
        return false;
      }
    }
  }
}

/**
 * Splits a byte stream into packets. Calls `onPacket(head, length, sequenceId, continuation)` once
 * per packet with the first HEAD_BYTES of its payload (`continuation` for the 2nd+ parts of a
 * payload ≥ 16 MiB). Keeps no more than a header and a head between chunks.
 */
export class PacketHeads {
  #header: Buffer = Buffer.alloc(0);
  #head: Buffer[] = [];
  #headLen = 0;
  #remaining = -1; // payload bytes still to come of the current packet; -1 = reading a header
  #length = 0;
  #seq = 0;
  #reported = false;
  #continuation = false;
  constructor(readonly onPacket: (head: Buffer, length: number, seq: number, continuation: boolean) => void) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining < 0) {
        const need = 4 - this.#header.length;
        this.#header = Buffer.concat([this.#header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.length - at);
        if (this.#header.length < 4) return;
        this.#length = this.#header.readUIntLE(0, 3);
        this.#seq = this.#header[3]!;
        this.#header = Buffer.alloc(0);
        this.#remaining = this.#length;
        this.#head = [];
        this.#headLen = 0;
        this.#reported = false;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      if (!this.#reported && this.#headLen < HEAD_BYTES) {
        const part = chunk.subarray(at, at + Math.min(take, HEAD_BYTES - this.#headLen));
        this.#head.push(part);
        this.#headLen += part.length;
      }
      at += take;
      this.#remaining -= take;
      if (!this.#reported && (this.#headLen >= Math.min(HEAD_BYTES, this.#length) || this.#remaining === 0)) {
        this.#reported = true;
        const head = this.#head.length === 1 ? this.#head[0]! : Buffer.concat(this.#head);
        this.onPacket(head, this.#length, this.#seq, this.#continuation);
      }
      if (this.#remaining === 0) {
        this.#continuation = this.#length === MAX_PAYLOAD;
        this.#remaining = -1;
      }
    }
  }
}

/** Whole client packets (a command's full text is needed before it may pass). */
export class ClientPackets {
  #pending: Buffer = Buffer.alloc(0);

  /** Complete logical packets in `chunk` (plus what was held back), each with its raw bytes. */
  push(chunk: Buffer): Array<{ seq: number; payload: Buffer; raw: Buffer }> {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Array<{ seq: number; payload: Buffer; raw: Buffer }> = [];
    let at = 0;
    for (;;) {
      // A logical packet: frames of 0xFFFFFF bytes followed by one shorter frame.
      let end = at;
      const parts: Buffer[] = [];
      let complete = false;
      while (end + 4 <= this.#pending.length) {
        const len = this.#pending.readUIntLE(end, 3);
        if (end + 4 + len > this.#pending.length) break;
        parts.push(this.#pending.subarray(end + 4, end + 4 + len));
        end += 4 + len;
        if (len < MAX_PAYLOAD) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      out.push({ seq: this.#pending[at + 3]!, payload: parts.length === 1 ? parts[0]! : Buffer.concat(parts), raw: this.#pending.subarray(at, end) });
      at = end;
    }
    this.#pending = at === this.#pending.length ? Buffer.alloc(0) : Buffer.from(this.#pending.subarray(at));
    return out;
  }
}

function cString(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  const stop = end === -1 ? buf.length : end;
  return [buf.toString('utf8', at, stop), stop + 1];
}

/** User and database from a HandshakeResponse41 (the first client packet). */
function parseHandshakeResponse(payload: Buffer): { capabilities: number; user: string; database: string | undefined } {
  const capabilities = payload.length >= 4 ? payload.readUInt32LE(0) : 0;
  const [user, afterUser] = cString(payload, 32);
  let at = afterUser;
  if (capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    const n = lenenc(payload, at);
    at += n ? n[0] + n[1] : payload.length;
  } else if (capabilities & CLIENT_SECURE_CONNECTION) {
    at += 1 + (payload[at] ?? 0);
  } else {
    at = cString(payload, at)[1];
  }
  const database = capabilities & CLIENT_CONNECT_WITH_DB && at < payload.length ? cString(payload, at)[0] : undefined;
  return { capabilities, user, database };
}

/** The server greeting without TLS, compression and MariaDB extended capabilities on offer. */
export function withoutUnsupportedCapabilities(payload: Buffer): Buffer {
  if (payload[0] !== 10) return payload; // an ERR packet instead of a greeting: pass it on
  const out = Buffer.from(payload);
  const versionEnd = out.indexOf(0, 1);
  const capsLow = versionEnd + 1 + 4 + 8 + 1;
  if (versionEnd === -1 || capsLow + 2 > out.length) return payload;
  const low = out.readUInt16LE(capsLow) & ~(CLIENT_SSL | CLIENT_COMPRESS);
  out.writeUInt16LE(low, capsLow);
  const extended = capsLow + 2 + 1 + 2 + 2 + 1 + 6;
  if ((low & CLIENT_LONG_PASSWORD) === 0 && extended + 4 <= out.length) out.fill(0, extended, extended + 4);
  return out;
}

const USE_STATEMENT = /^\s*use\s+`?([^`\s;]+)`?\s*;?\s*$/i;

export async function startSqlLimitProxy(options: SqlLimitProxyOptions): Promise<SqlLimitProxy> {
  const { state, upstream } = options;
  const log = options.log ?? (() => {});
  const open = new Set<net.Socket>();

  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const backend = net.connect({ host: upstream.host, port: upstream.port });
    backend.setNoDelay(true);
    open.add(client);

    let greeted = false;
    let greeting: Buffer = Buffer.alloc(0);
    let handshakeSeen = false;
    let user = '';
    let database: string | undefined;
    let deprecateEof = false;
    const prepared = new Map<number, string>();
    let preparing: string | undefined;
    let tracked: { admission: Extract<Admission, { kind: 'counted' }>; answer: AnswerTracker } | undefined;

    const endTracked = () => {
      tracked?.admission.release();
      tracked = undefined;
    };

    const serverPackets = new PacketHeads((head, length, _seq, continuation) => {
      if (continuation) return;
      if (preparing !== undefined) {
        // COM_STMT_PREPARE_OK: 0x00, statement id (4), columns (2), params (2), …
        if (head[0] === 0x00 && length >= 12 && head.length >= 5) prepared.set(head.readUInt32LE(1), preparing);
        preparing = undefined;
        return;
      }
      if (tracked && tracked.answer.feed(head, length)) endTracked();
    });

    const closeBoth = () => {
      endTracked();
      open.delete(client);
      client.destroy();
      backend.destroy();
    };
    client.on('error', closeBoth);
    backend.on('error', closeBoth);
    client.on('close', closeBoth);
    backend.on('close', closeBoth);

    const toClient = (data: Buffer) => {
      if (!client.write(data)) {
        backend.pause();
        client.once('drain', () => backend.resume());
      }
    };
    const toBackend = (data: Buffer) => {
      if (!backend.write(data)) {
        client.pause();
        backend.once('drain', () => client.resume());
      }
    };

    backend.on('data', (chunk: Buffer) => {
      if (!greeted) {
        greeting = greeting.length === 0 ? chunk : Buffer.concat([greeting, chunk]);
        if (greeting.length < 4) return;
        const len = greeting.readUIntLE(0, 3);
        if (greeting.length < 4 + len) return;
        greeted = true;
        const payload = withoutUnsupportedCapabilities(greeting.subarray(4, 4 + len));
        toClient(Buffer.concat([greeting.subarray(0, 4), payload]));
        const rest = greeting.subarray(4 + len);
        if (rest.length > 0) {
          toClient(rest);
          serverPackets.push(rest);
        }
        return;
      }
      toClient(chunk);
      serverPackets.push(chunk);
    });

    const clientPackets = new ClientPackets();
    client.on('data', (chunk: Buffer) => {
      const forward: Buffer[] = [];
      for (const packet of clientPackets.push(chunk)) {
        if (!handshakeSeen) {
          handshakeSeen = true;
          const hs = parseHandshakeResponse(packet.payload);
          if (hs.capabilities & CLIENT_SSL && packet.payload.length <= 32) {
            // A client that insists on TLS: the proxy cannot read encrypted commands.
            log({ sql_limit_proxy: 'refused a TLS connection' });
            closeBoth();
            return;
          }
          user = hs.user;
          database = hs.database;
          deprecateEof = (hs.capabilities & CLIENT_DEPRECATE_EOF) !== 0;
          forward.push(packet.raw);
          continue;
        }
        // Only sequence id 0 starts a command; other packets continue an exchange (auth, LOCAL INFILE).
        if (packet.seq !== 0 || packet.payload.length === 0) {
          forward.push(packet.raw);
          continue;
        }
        const command = packet.payload[0];
        let sql: string | undefined;
        if (command === COM_QUERY) {
          sql = packet.payload.toString('utf8', 1);
          const use = USE_STATEMENT.exec(sql);
          if (use) database = use[1];
        } else if (command === COM_STMT_EXECUTE && packet.payload.length >= 5) {
          sql = prepared.get(packet.payload.readUInt32LE(1));
        } else if (command === COM_STMT_PREPARE) {
          preparing = packet.payload.toString('utf8', 1);
        } else if (command === COM_STMT_CLOSE && packet.payload.length >= 5) {
          prepared.delete(packet.payload.readUInt32LE(1));
        } else if (command === COM_INIT_DB) {
          database = packet.payload.toString('utf8', 1);
        } else if (command === COM_CHANGE_USER) {
          const [newUser, after] = cString(packet.payload, 1);
          user = newUser;
          void after;
          prepared.clear();
        }
        // A new command means the previous answer is complete (clients do not pipeline).
        endTracked();
        if (sql !== undefined) {
          const admission = state.admit(sql, { user, database });
          if (admission.kind === 'refuse') {
            if (forward.length > 0) toBackend(Buffer.concat(forward.splice(0)));
            toClient(errPacket(1, ER_QUERY_INTERRUPTED.errno, ER_QUERY_INTERRUPTED.sqlState, ER_QUERY_INTERRUPTED.message));
            continue;
          }
          if (admission.kind === 'counted') tracked = { admission, answer: new AnswerTracker(deprecateEof) };
        }
        forward.push(packet.raw);
      }
      if (forward.length > 0) toBackend(forward.length === 1 ? forward[0]! : Buffer.concat(forward));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    connections: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
