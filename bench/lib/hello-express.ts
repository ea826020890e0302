// The start-up baseline: a bare Express 5 app (the BFF's own Express), started the same way (tsx).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';

interface Res {
  send(body: string): void;
}
interface App {
  get(path: string, handler: (req: unknown, res: Res) => void): void;
  listen(port: number, host: string, cb: () => void): { close(): void };
}
const express = createRequire(join(REPO_ROOT, 'apps/bff/package.json'))('express') as () => App;
const app = express();
app.get('/', (_req, res) => res.send('hello'));
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => console.log(`hello listening on http://127.0.0.1:${port}`));
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => (server.close(), process.exit(0)));
