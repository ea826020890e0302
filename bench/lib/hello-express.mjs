// The start-up and memory baseline: a bare Express 5 app (the BFF's own Express) under plain node,
// as the built BFF runs: plain JavaScript, so no loader is part of what is measured.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const express = createRequire(fileURLToPath(new URL('../../apps/bff/package.json', import.meta.url)))('express');
const app = express();
app.get('/', (_req, res) => res.send('hello'));
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => console.log(`hello listening on http://127.0.0.1:${port}`));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => (server.close(), process.exit(0)));
