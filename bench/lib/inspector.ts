// Heap of a Node process started with --inspect=127.0.0.1:0: full GC, then V8's used heap, over CDP.
import WebSocket from 'ws';

export class Inspector {
  #next = 1;
  #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  static connect(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Inspector(ws)));
      ws.once('error', reject);
    });
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async pid(): Promise<number> {
    const r = await this.send<{ result: { value: number } }>('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    return r.result.value;
  }

  /** V8 heap in use after two full collections, in MB. */
  async heapAfterGcMb(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
    const usage = await this.send<{ usedSize: number }>('Runtime.getHeapUsage');
    return usage.usedSize / 1024 / 1024;
  }

  close(): void {
    this.ws.close();
  }
}

/** Among the inspectors announced in `lines` ("Debugger listening on ws://…"), the one inside `pid`. */
export async function inspectorOf(lines: string[], pid: number): Promise<Inspector> {
  for (const line of lines) {
    const url = line.match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
    if (!url) continue;
    const inspector = await Inspector.connect(url).catch(() => undefined);
    if (!inspector) continue;
    if ((await inspector.pid()) === pid) return inspector;
    inspector.close();
  }
  throw new Error(`no inspector found for pid ${pid}`);
}
