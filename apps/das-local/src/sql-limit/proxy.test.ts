// The proxy's protocol pieces without a server: the refusal packet, the end of an answer in both
// EOF styles, and the greeting without TLS or compression on offer.
import { describe, expect, it } from 'vitest';
import { AnswerTracker, ClientPackets, PacketHeads, errPacket, withoutUnsupportedCapabilities } from './proxy.ts';

const ok = (status: number, header = 0x00) => Buffer.from([header, 0x00, 0x00, status & 0xff, status >> 8, 0x00, 0x00]);
const eof = (status: number) => Buffer.from([0xfe, 0x00, 0x00, status & 0xff, status >> 8]);
const err = Buffer.from([0xff, 0x25, 0x05, 0x23]);
const columnCount = (n: number) => Buffer.from([n]);
const column = Buffer.from([0x03, 0x64, 0x65, 0x66, 0x00, 0x00, 0x00, 0x01, 0x78]);
const row = Buffer.from([0x01, 0x31]);
const MORE = 0x0008;

/** Feeds packets; returns the index of the packet after which the tracker said "done" (or -1). */
function doneAt(tracker: AnswerTracker, packets: Buffer[]): number {
  for (let i = 0; i < packets.length; i++) if (tracker.feed(packets[i]!, packets[i]!.length)) return i;
  return -1;
}

describe('errPacket', () => {
  it('is the exact ERR 1317 (70100) a MySQL server sends', () => {
    const p = errPacket(1, 1317, '70100', 'Query execution was interrupted');
    expect(p.subarray(0, 4)).toEqual(Buffer.from([p.length - 4, 0, 0, 1]));
    expect(p.subarray(4, 7)).toEqual(Buffer.from([0xff, 0x25, 0x05]));
    expect(p.subarray(7).toString('latin1')).toBe('#70100Query execution was interrupted');
  });
});

describe('AnswerTracker', () => {
  it('ends an OK or an ERR at once', () => {
    expect(doneAt(new AnswerTracker(false), [ok(0x0002)])).toBe(0);
    expect(doneAt(new AnswerTracker(false), [err])).toBe(0);
  });

  it('ends a result set at its final EOF (classic) or OK-with-0xFE (DEPRECATE_EOF)', () => {
    expect(doneAt(new AnswerTracker(false), [columnCount(2), column, column, eof(0), row, row, row, eof(0x0002), ok(0)])).toBe(7);
    expect(doneAt(new AnswerTracker(true), [columnCount(2), column, column, row, row, ok(0x0002, 0xfe), ok(0)])).toBe(5);
    expect(doneAt(new AnswerTracker(false), [columnCount(1), column, eof(0), eof(0)])).toBe(3);
  });

  it('does not take a row that starts with 0xFE for the end', () => {
    const longRow = Buffer.concat([Buffer.from([0xfe]), Buffer.alloc(20, 0x41)]);
    expect(doneAt(new AnswerTracker(false), [columnCount(1), column, eof(0), longRow, eof(0)])).toBe(4);
  });

  it('follows SERVER_MORE_RESULTS_EXISTS through multi-result answers', () => {
    expect(doneAt(new AnswerTracker(false), [columnCount(1), column, eof(0), row, eof(MORE), ok(MORE), columnCount(1), column, eof(0), row, eof(0)])).toBe(10);
    expect(doneAt(new AnswerTracker(true), [ok(MORE), columnCount(1), column, row, ok(0, 0xfe)])).toBe(4);
  });

  it('ends on an error in the middle of the rows (a statement killed while streaming)', () => {
    expect(doneAt(new AnswerTracker(false), [columnCount(1), column, eof(0), row, err, row])).toBe(4);
  });

  it('waits through LOCAL INFILE for the final OK', () => {
    expect(doneAt(new AnswerTracker(false), [Buffer.from([0xfb, 0x2f, 0x74]), ok(0)])).toBe(1);
  });
});

describe('the greeting', () => {
  function greeting(capsLow: number, capsHigh: number, extended: number): Buffer {
    return Buffer.concat([
      Buffer.from([10]),
      Buffer.from('10.11.19-MariaDB\0', 'latin1'),
      Buffer.from([7, 0, 0, 0]),
      Buffer.alloc(8, 0x61),
      Buffer.from([0]),
      Buffer.from([capsLow & 0xff, capsLow >> 8, 45, 2, 0, capsHigh & 0xff, capsHigh >> 8, 21]),
      Buffer.alloc(6),
      Buffer.from([extended & 0xff, (extended >> 8) & 0xff, 0, 0]),
      Buffer.alloc(13, 0x62),
      Buffer.from('mysql_native_password\0', 'latin1'),
    ]);
  }

  it('offers neither TLS nor compression, drops MariaDB extended capabilities, keeps the rest', () => {
    const caps = 0xf7fe; // MariaDB style: CLIENT_MYSQL (bit 0) unset, SSL and COMPRESS set
    const out = withoutUnsupportedCapabilities(greeting(caps, 0x81ff, 0x001d));
    const at = 1 + '10.11.19-MariaDB'.length + 1 + 4 + 8 + 1;
    expect(out.readUInt16LE(at)).toBe(caps & ~0x0800 & ~0x0020);
    expect(out.readUInt16LE(at + 5)).toBe(0x81ff);
    expect(out.readUInt32LE(at + 2 + 1 + 2 + 2 + 1 + 6)).toBe(0);
    expect(out.subarray(out.length - 22).toString('latin1')).toBe('mysql_native_password\0');
  });

  it('passes an ERR packet sent instead of a greeting unchanged', () => {
    const refused = Buffer.from([0xff, 0x10, 0x04, 0x54, 0x6f, 0x6f]);
    expect(withoutUnsupportedCapabilities(refused)).toBe(refused);
  });
});

describe('packet framing across arbitrary TCP chunks', () => {
  const frame = (seq: number, payload: Buffer) => Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, seq]), payload]);
  const payloads = [columnCount(2), column, column, eof(0), row, Buffer.alloc(5000, 0x41), Buffer.alloc(0), eof(0x0002), ok(0)];
  const stream = Buffer.concat(payloads.map((p, i) => frame(i + 1, p)));
  // A deterministic pseudo-random split (no flaky seeds): chunk sizes 1..97.
  const splits = (seed: number) => {
    const chunks: Buffer[] = [];
    let x = seed;
    for (let at = 0; at < stream.length; ) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (x % 97);
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    return chunks;
  };

  it('reports each server packet once, with its length, sequence id and first bytes', () => {
    for (const seed of [1, 2, 3, 42, 1000]) {
      const seen: Array<[string, number, number]> = [];
      const heads = new PacketHeads((head, length, seq) => seen.push([head.toString('hex'), length, seq]));
      for (const chunk of splits(seed)) heads.push(chunk);
      expect(seen).toEqual(payloads.map((p, i) => [p.subarray(0, 32).toString('hex'), p.length, i + 1]));
    }
  });

  it('gives whole client packets, however the bytes arrive, and holds back a partial one', () => {
    for (const seed of [7, 8, 9]) {
      const packets = new ClientPackets();
      const out = splits(seed).flatMap((chunk) => packets.push(chunk));
      expect(out.map((p) => [p.seq, p.payload.toString('hex')])).toEqual(payloads.map((p, i) => [i + 1, p.toString('hex')]));
      expect(Buffer.concat(out.map((p) => p.raw))).toEqual(stream);
    }
    const packets = new ClientPackets();
    expect(packets.push(stream.subarray(0, 3))).toEqual([]);
    expect(packets.push(stream.subarray(3, 6)).map((p) => p.payload)).toEqual([columnCount(2)]);
  });
});
