// Serves the built SPA with an index.html fallback for non-API GETs; a short page when it is not built yet.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { API_PREFIX, routes } from '@quell/contracts/routes';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quell</title></head>
<body><h1>Quell</h1><p>The web app is not built yet. Build it with <code>pnpm --filter @quell/web build</code> and reload.</p>
<p>The API is up: see <a href="${routes.openapi.path}">${routes.openapi.path}</a>.</p></body></html>`;

export function spaRouter(dist: string): Router {
  const r = Router();
  const root = path.resolve(dist);
  const index = path.join(root, 'index.html');
  r.use(
    express.static(root, {
      index: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders(res, file) {
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  r.get('/{*splat}', (req, res, next) => {
    if (req.path === API_PREFIX || req.path.startsWith(`${API_PREFIX}/`)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(index)) {
      res.status(200).type('html').send(NOT_BUILT);
      return;
    }
    res.sendFile(index);
  });
  return r;
}
