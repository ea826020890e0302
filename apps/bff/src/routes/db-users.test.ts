// The db-users list marks the account the inventory uses, so the admin page offers no Remove for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOf, routes } from '@quell/contracts/routes';
import { startStack, type Stack } from '@quell/test-kit/stack';

let h: Stack;
let backupId = '';

beforeAll(async () => {
  h = await startStack({
    label: 'dbusers',
    extraInstances: (base) => [
      // the same DAS db user, its id written in capitals in the inventory
      { ...base, id: 'shouted', name: 'shouted-db', dbUserId: base.dbUserId!.toUpperCase() },
      { ...base, id: 'unset', name: 'unset-db', dbUserId: undefined },
    ],
  });
  const { agent, csrf } = await h.login('admin');
  const reg = await agent.post(pathOf(routes.registerDbUser, { instanceId: 'main' })).set('X-CSRF-Token', csrf).send({ dbUsername: h.accounts.backup.user, dbUserPassword: h.accounts.backup.password });
  expect(reg.status).toBe(201);
  backupId = reg.body.dbUserId;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const inUseOf = async (instanceId: string) => {
  const { agent } = await h.login('admin');
  const res = await agent.get(pathOf(routes.dbUsers, { instanceId }));
  expect(res.status).toBe(200);
  routes.dbUsers.response.parse(res.body);
  return Object.fromEntries((res.body.dbUsers as { dbUserId: string; inUse: boolean }[]).map((u) => [u.dbUserId, u.inUse]));
};

describe('GET db-users', () => {
  it('marks the inventory db user in use, and no other', async () => {
    expect(await inUseOf('main')).toEqual({ [h.dbUserId]: true, [backupId]: false });
  });

  it('compares the ids case-insensitively, as the delete guard does', async () => {
    expect(await inUseOf('shouted')).toEqual({ [h.dbUserId]: true, [backupId]: false });
    const { agent, csrf } = await h.login('admin');
    const del = await agent.delete(pathOf(routes.dbUser, { instanceId: 'shouted', dbUserId: h.dbUserId })).set('X-CSRF-Token', csrf);
    expect(del.status).toBe(409);
  });

  it('marks none when the inventory names no db user for the instance', async () => {
    expect(await inUseOf('unset')).toEqual({ [h.dbUserId]: false, [backupId]: false });
  });
});
