// Linux /proc helpers: which process listens on a port, how much memory it holds, whether the CPUs are quiet.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Inode of the listening TCP socket on `port` (IPv4 or IPv6), if any. */
function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      // cols[1] = local address:port, cols[3] = state (0A = LISTEN), cols[9] = inode
      if (cols[3] === '0A' && cols[1]!.endsWith(`:${hexPort}`)) return cols[9];
    }
  }
  return undefined;
}

/** The pid owning the socket listening on `port` (only processes this user may inspect). */
export function pidListeningOn(port: number): number | undefined {
  const inode = listeningInode(port);
  if (!inode) return undefined;
  const target = `socket:[${inode}]`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) === target) return Number(entry);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return undefined;
}

/** VmRSS and VmHWM (peak) of a process, in MB; undefined once it has gone. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Samples VmRSS of some processes every `everyMs` until stopped; returns the peak of each. */
export function sampleRss(pids: Record<string, number>, everyMs = 100): { stop(): Record<string, number> } {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const tick = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const m = memoryOf(pid);
      if (m && m.rssMb > peak[name]!) peak[name] = m.rssMb;
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}

/** Idle and total CPU time of the whole machine so far, in clock ticks (/proc/stat). */
function cpuTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) };
}

/**
 * Waits until the machine's CPUs were less than `busyBelow` busy over one `windowMs` (the work a closed
 * page leaves, a renderer going away, a GC, is over), or `maxMs` has passed. On two cores a measurement
 * that starts in the tail of the last one measures both.
 */
export async function quietCpu({ busyBelow = 0.1, windowMs = 200, maxMs = 10_000 } = {}): Promise<void> {
  const start = Date.now();
  let last = cpuTicks();
  while (Date.now() - start < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuTicks();
    const busy = 1 - (now.idle - last.idle) / Math.max(1, now.total - last.total);
    last = now;
    if (busy < busyBelow) return;
  }
}
