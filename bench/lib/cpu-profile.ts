// A V8 CPU profile (Profiler.stop over the inspector) summarised by self time, for bench/tools.
import { REPO_ROOT } from './stack.ts';

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

/** Prints the top functions by self time, then the split by file or package. */
export function summariseProfile(label: string, profile: CpuProfile): void {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const url = n.callFrame.url.replace(`file://${REPO_ROOT}/`, '').replace(/.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1:');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const byPackage = new Map<string, number>();
  for (const [k, v] of self) {
    const pkg = k.includes('node_modules') || k.includes(':') ? (k.split('  ')[1] ?? '').split(/[:/]/)[0]! : k;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + v);
  }
  console.log(`\n${label}: ${(total / 1000).toFixed(0)} ms sampled; top self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log('\nby file/package:');
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

