// The least an extra hop can cost: a plain node:http server in a process of its own, with no Express,
// no login, no policy, that answers every request with one DasClient listing, serialised as JSON.
// overhead.bench.ts times it beside the BFF and the direct call, so a ratio of the BFF to the direct
// call can be read against the ratio this floor reaches on the same machine in the same run.
//
//   QUELL_BARE_HOP='{"port":…,"das":{…},"user":"…"}' tsx bench/lib/bare-hop.ts
import http from 'node:http';
import { join } from 'node:path';
import { DasClient } from '@quell/das-client/client';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';
import { builtServer } from '../../scripts/lib/built-servers.ts';
import { startProcess } from '../../scripts/lib/processes.ts';
import type { LoadSpec } from './load-types.ts';

interface BareHopSpec {
  port: number;
  das: LoadSpec['das'];
  user: string;
}

/** Starts the floor's server; its URL answers GET with `{ sessions, count }` (`{}` to `?nothing`). */
export async function startBareHop(spec: BareHopSpec): Promise<{ url: string; stop(): Promise<void> }> {
  // Under the BFF's own node flags and allocator settings (its start script), so the two differ by the code.
  const bff = builtServer('bff');
  const started = await startProcess({
    name: 'bare-hop',
    command: process.execPath,
    args: [...bff.args.slice(0, -1), '--import', 'tsx', join(REPO_ROOT, 'bench/lib/bare-hop.ts')],
    env: { ...process.env, ...bff.env, QUELL_BARE_HOP: JSON.stringify(spec) },
    ready: /bare hop listening/,
    onLine: (line) => {
      if (!line.startsWith('bare hop listening')) process.stderr.write(`[bare-hop] ${line}\n`);
    },
  });
  return { url: `http://127.0.0.1:${spec.port}/`, stop: started.stop };
}

function serve(spec: BareHopSpec): void {
  const das = new DasClient({ endpoint: spec.das.endpoint, projectId: spec.das.projectId, credentials: () => ({ ak: spec.das.ak, sk: spec.das.sk }) });
  const params = { instanceId: spec.das.dasInstanceId, dbUserId: spec.das.dbUserId, user: spec.user };
  http
    .createServer((req, res) => {
      // `?nothing`: an answer without DAS, the cost of the HTTP exchange alone
      if (req.url?.endsWith('?nothing')) return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
      das.listProcesses(params).then(
        (sessions) => {
          const body = JSON.stringify({ sessions, count: sessions.length });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        },
        (err: unknown) => res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err)),
      );
    })
    .listen(spec.port, '127.0.0.1', () => console.log(`bare hop listening on ${spec.port}`));
}

if (process.env.QUELL_BARE_HOP) serve(JSON.parse(process.env.QUELL_BARE_HOP) as BareHopSpec);
