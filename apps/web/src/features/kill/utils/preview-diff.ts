import type { KillPreview } from '@quell/contracts/kill';

export interface PreviewDiff {
  /** Targets now that were not targets before. */
  added: number[];
  /** Targets before that are not any more (gone, or now excluded). */
  dropped: number[];
  /** Still targets, but running another statement or command than before. */
  changed: number[];
}

/** What changed in the targets between two previews of the same request. */
export function diffPreviews(before: Pick<KillPreview, 'targets'>, after: Pick<KillPreview, 'targets'>): PreviewDiff {
  const old = new Map(before.targets.map((s) => [s.id, s]));
  const now = new Set(after.targets.map((s) => s.id));
  const added: number[] = [];
  const changed: number[] = [];
  for (const s of after.targets) {
    const prev = old.get(s.id);
    if (!prev) added.push(s.id);
    else if (prev.sql !== s.sql || prev.command !== s.command) changed.push(s.id);
  }
  const dropped = before.targets.filter((s) => !now.has(s.id)).map((s) => s.id);
  return { added, dropped, changed };
}

export const isUnchanged = (d: PreviewDiff) => d.added.length === 0 && d.dropped.length === 0 && d.changed.length === 0;

/** Seconds left, as `m:ss` (a preview lives minutes, not hours). */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * When the preview stops being valid, on this browser's clock: its lifetime (server clock, expiresAt -
 * createdAt) counted from when it arrived, so a skewed client clock does not shorten or stretch it.
 */
export function previewDeadline(preview: Pick<KillPreview, 'createdAt' | 'expiresAt'>, receivedAt: number): number {
  const lifetime = Date.parse(preview.expiresAt) - Date.parse(preview.createdAt);
  return receivedAt + (Number.isFinite(lifetime) ? Math.max(0, lifetime) : 0);
}
