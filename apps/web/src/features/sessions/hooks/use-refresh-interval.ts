import { useCallback, useState } from 'react';
import { readJson, writeJson } from '@/lib/storage';

const REFRESH_KEY = 'quell.refreshSeconds';
const DEFAULT_SECONDS = 5;
const isSeconds = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 3600;

/**
 * How often the list refreshes: the operator's choice (kept in this browser), a pause toggle, and
 * `suspended` (a dialog is open) which stops refreshing without changing either.
 */
export function useRefreshInterval({ suspended }: { suspended: boolean }) {
  const [seconds, setSecondsState] = useState(() => readJson(REFRESH_KEY, DEFAULT_SECONDS, isSeconds));
  const [paused, setPaused] = useState(false);
  const setSeconds = useCallback((s: number) => {
    setSecondsState(s);
    writeJson(REFRESH_KEY, s);
  }, []);
  const togglePause = useCallback(() => setPaused((p) => !p), []);
  const refetchInterval: number | false = paused || suspended || seconds === 0 ? false : seconds * 1000;
  return { seconds, setSeconds, paused, togglePause, refetchInterval };
}
