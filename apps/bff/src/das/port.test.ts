// The BFF's DAS wrapper: every DAS failure leaves it as one of the BFF's own errors.
import { describe, expect, it } from 'vitest';
import { DasApiError, DasRequestError } from '@quell/das-client/errors';
import { NotFoundError, UpstreamError, ValidationError } from '../errors.ts';
import { createMetrics } from '../metrics.ts';
import { bffDas, type DasPort } from './port.ts';

const failing = (err: unknown): DasPort => {
  const fail = async (): Promise<never> => {
    throw err;
  };
  return {
    listProcesses: fail,
    listProcessPages: async function* (): AsyncGenerator<never> {
      throw err;
    },
    deleteProcess: fail,
    registerDbUser: fail,
    listDbUsers: fail,
    deleteDbUser: fail,
    showSqlLimitSwitchStatus: fail,
    changeSqlLimitSwitchStatus: fail,
    showSqlLimitJobInfo: fail,
    createSqlLimitRules: fail,
    listSqlLimitRules: fail,
    deleteSqlLimitRules: fail,
    parseSqlLimitRules: fail,
    listInnodbLocks: fail,
    listMetadataLocks: fail,
  };
};
const das = (err: unknown) => bffDas(failing(err), createMetrics());
const apiError = (over: Partial<ConstructorParameters<typeof DasApiError>[0]>) =>
  new DasApiError({ operation: 'DeleteProcess', httpStatus: 500, errorCode: 'DAS.200001', errorMsg: 'boom', requestId: 'r'.repeat(32), kind: 'das', retryable: false, ...over });
const rejection = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('bffDas', () => {
  it('a DAS error is an UpstreamError with the details an operator may see, uncertain unless DAS refused', async () => {
    const e = await rejection(das(apiError({})).deleteProcess({ instanceId: 'i', dbUserId: 'd', processIds: [1] }));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'DAS kill failed', upstream: { httpStatus: 500, errorCode: 'DAS.200001', errorMsg: 'boom', dasRequestId: 'r'.repeat(32) }, uncertain: true });
    expect((e as UpstreamError).details).toEqual({ upstream: (e as UpstreamError).upstream });
    const refused = await rejection(das(apiError({ httpStatus: 400, errorCode: 'DAS.200002', retryable: true })).deleteProcess({ instanceId: 'i', dbUserId: 'd' }));
    expect(refused).toMatchObject({ code: 'UPSTREAM_ERROR', uncertain: false });
    const timeout = await rejection(das(apiError({ httpStatus: 0, errorCode: undefined, errorMsg: undefined, kind: 'timeout' })).listProcesses({ instanceId: 'i', dbUserId: 'd', user: 'u' }));
    expect(timeout).toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: 'DAS session listing failed', upstream: { httpStatus: 0, errorMsg: 'DAS did not answer in time' }, uncertain: true });
  });

  it('a listing read page by page fails with the same BFF error as the whole listing', async () => {
    const pages = das(apiError({ operation: 'ListProcesses', httpStatus: 0, errorCode: undefined, errorMsg: undefined, kind: 'timeout' })).listProcessPages({ instanceId: 'i', dbUserId: 'd', user: 'u' });
    const e = await rejection((async () => {
      for await (const page of pages) void page;
    })());
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: 'DAS session listing failed' });
  });

  it('invalid input the client caught is a 400 naming the field', async () => {
    const e = await rejection(das(new DasRequestError('DeleteProcess', [{ path: 'processIds.0', message: 'must be in [0, 2^31-1]' }])).deleteProcess({ instanceId: 'i', dbUserId: 'd', processIds: [-1] }));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues).toEqual([{ field: 'processIds.0', message: 'must be in [0, 2^31-1]' }]);
  });

  it('names the password when DAS cannot sign in with a registered user, and a db user it does not know is a 404', async () => {
    const login = await rejection(das(apiError({ operation: 'RegisterDbUser', httpStatus: 400, errorCode: 'DAS.200051' })).registerDbUser('i', 'u', 'p'));
    expect((login as ValidationError).issues.map((i) => i.field)).toEqual(['dbUserPassword']);
    const gone = await rejection(das(apiError({ operation: 'DeleteDbUser', httpStatus: 400, errorCode: 'DAS.220003' })).deleteDbUser('i', 'd'));
    expect(gone).toBeInstanceOf(NotFoundError);
    const other = await rejection(das(apiError({ operation: 'DeleteDbUser', httpStatus: 500 })).deleteDbUser('i', 'd'));
    expect(other).toBeInstanceOf(UpstreamError);
  });

  it('a lock listing DAS refuses is an upstream error naming the listing', async () => {
    const innodb = await rejection(das(apiError({ operation: 'ListInnodbLocks', httpStatus: 400, errorCode: 'DAS.200112' })).listInnodbLocks({ instanceId: 'i', dbUserId: 'd' }));
    expect(innodb).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'DAS InnoDB lock listing failed', upstream: { httpStatus: 400, errorCode: 'DAS.200112' }, uncertain: false });
    const mdl = await rejection(das(apiError({ operation: 'ListMetadataLocks', httpStatus: 500 })).listMetadataLocks({ instanceId: 'i', dbUserId: 'd' }));
    expect(mdl).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'DAS metadata-lock listing failed', upstream: { httpStatus: 500 } });
  });

  it('the SQL limit calls fail as BFF errors too, named for the operator', async () => {
    const e = await rejection(das(apiError({ operation: 'CreateSqlLimitRules', httpStatus: 400, errorCode: 'DAS.200100' })).createSqlLimitRules({ instanceId: 'i', rules: [] }));
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'DAS SQL limit rule creation failed', uncertain: false });
    const bad = await rejection(das(new DasRequestError('CreateSqlLimitRules', [{ path: 'rules.0.pattern', message: 'must not be empty' }])).createSqlLimitRules({ instanceId: 'i', rules: [] }));
    expect((bad as ValidationError).issues).toEqual([{ field: 'rules.0.pattern', message: 'must not be empty' }]);
  });

  it('anything that is not a DAS error passes unchanged', async () => {
    const boom = new Error('not DAS');
    expect(await rejection(das(boom).listDbUsers('i'))).toBe(boom);
  });
});
