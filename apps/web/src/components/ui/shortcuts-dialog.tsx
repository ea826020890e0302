import { Button } from './button';
import { Dialog } from './dialog';

export const SHORTCUTS: [string, string][] = [
  ['/', 'Focus the filter'],
  ['t', 'Jump into the session table (the first selected row, else the first row)'],
  ['r', 'Refresh the session list'],
  ['x', 'Select or deselect the focused row'],
  ['↑ ↓', 'Move between rows'],
  ['Shift + click', 'Select a range of rows'],
  ['k', 'Open the kill preview for the selection'],
  ['?', 'Show this list'],
  ['Esc', 'Close a dialog'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" className="max-w-md">
      <div className="px-5 py-4">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {SHORTCUTS.map(([k, what]) => (
            <div key={k} className="contents">
              <dt>
                <kbd className="rounded border border-slate-300 bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800">{k}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <div className="mt-4 flex justify-end">
          <Button onClick={onClose} autoFocus>
            Close
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
