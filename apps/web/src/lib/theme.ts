import { readJson, writeJson } from './storage';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'quell.theme';
const isChoice = (v: unknown): v is ThemeChoice => v === 'system' || v === 'light' || v === 'dark';

export function readTheme(): ThemeChoice {
  return readJson<ThemeChoice>(KEY, 'system', isChoice);
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && systemPrefersDark());
  document.documentElement.classList.toggle('dark', dark);
}

export function saveTheme(choice: ThemeChoice): void {
  writeJson(KEY, choice);
  applyTheme(choice);
}
