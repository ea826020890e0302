// das-local hides its own connections from ListProcesses/DeleteProcess by thread id. After the server
// restarts, thread ids start again from a few, so the ids of das-local's old connections now belong to
// other sessions: those must be listed and killable (issue: they were hidden forever).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { MysqlBackend, type DbLogin } from './mysql-backend.ts';
import { startPrivateMariadb, type PrivateMariadb } from '@quell/test-kit/private-mariadb';

describe('das-local forgets the thread ids of its own connections once they close', () => {
  let server: PrivateMariadb;
  let backend: MysqlBackend;
  let das: DbLogin;
  const app = { user: 'own_ids_app', password: 'own-ids-app-password' };
  const sessions: mysql.Connection[] = [];

  beforeAll(async () => {
    server = await startPrivateMariadb();
    das = { host: server.host, port: server.port, user: 'own_ids_das', password: 'own-ids-das-password' };
    const admin = await server.admin();
    try {
      for (const a of [das, app]) await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [a.user, '%', a.password]);
      await admin.query('GRANT PROCESS, CONNECTION ADMIN ON *.* TO ?@?', [das.user, '%']);
    } finally {
      await admin.end();
    }
    backend = new MysqlBackend();
  }, 30_000);
  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await backend?.close();
    await server?.stop();
  });

  it('after a restart, sessions that reuse the ids of its old connections are listed and killed', async () => {
    // das-local's own connections before the restart: a credential check and a pooled listing connection.
    await backend.checkCredentials(das);
    await backend.listProcesses('das', das, {});
    const before = backend.ownThreadIds(das);
    expect(before.length).toBeGreaterThan(0); // the pooled connection is still open

    await server.restart();
    // Open enough sessions to reuse every id das-local ever had (ids restart at a handful after boot).
    const oldIds = [...before];
    for (let i = 0; i < 8; i++) {
      const c = await mysql.createConnection({ host: server.host, port: server.port, user: app.user, password: app.password });
      c.on('error', () => {});
      sessions.push(c);
    }
    const appIds = sessions.map((c) => c.threadId);
    const reused = oldIds.filter((id) => appIds.includes(id));
    expect(reused.length).toBeGreaterThan(0); // the scenario really happened

    const listed = (await backend.listProcesses('das', das, { user: app.user })).map((p) => Number(p.id));
    expect(listed.sort((a, b) => a - b)).toEqual([...appIds].sort((a, b) => a - b));

    const { killed } = await backend.killProcesses('das', das, { processIds: reused.map(String) });
    expect(killed.map(Number).sort()).toEqual([...reused].sort());
  }, 30_000);

  it('keeps at most the ids of connections still open, however many it opened', async () => {
    for (let i = 0; i < 30; i++) await backend.checkCredentials(das);
    await backend.listProcesses('das', das, {});
    // The pool holds at most 2 connections; every credential-check connection is closed.
    expect(backend.ownThreadIds(das).length).toBeLessThanOrEqual(2);
    // …and its own pooled connection stays hidden.
    const admin = await server.admin();
    try {
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [das.user]);
      const dasIds = rows.map((r) => Number(r.ID));
      expect(dasIds.length).toBeGreaterThan(0);
      const listed = (await backend.listProcesses('das', das, { user: das.user })).map((p) => Number(p.id));
      expect(listed.filter((id) => dasIds.includes(id))).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 30_000);
});
