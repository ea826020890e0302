import type { ReactNode } from 'react';
import { isApiError } from '@/lib/api-client';
import { errorDetail, errorMessage } from '@/lib/error-message';
import { CopyButton } from './copy-button';

/** What happened and what to do, in words; the technical detail one click away. */
export function ErrorPanel({ error, title = 'Something went wrong', action }: { error: unknown; title?: string; action?: ReactNode }) {
  const detail = errorDetail(error);
  const api = isApiError(error) ? error : null;
  const upstream = api?.details?.upstream;
  const issues = api?.details?.issues ?? [];
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-950 dark:border-red-800 dark:bg-red-950/40 dark:text-red-100">
      <p className="font-semibold">{title}</p>
      <p className="mt-1">{errorMessage(error)}</p>
      {issues.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {issues.map((i) => (
            <li key={`${i.field}:${i.message}`}>
              <code>{i.field}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
      {action && <div className="mt-2">{action}</div>}
      {(detail || api) && (
        <details className="mt-2">
          <summary className="text-xs font-medium underline">Technical details</summary>
          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
            {api && (
              <>
                <dt>Code</dt>
                <dd>
                  <code>{api.code}</code> (HTTP {api.status})
                </dd>
              </>
            )}
            {detail && (
              <>
                <dt>Message</dt>
                <dd>{detail}</dd>
              </>
            )}
            {upstream && (
              <>
                <dt>DAS error</dt>
                <dd>
                  <code>{upstream.errorCode ?? `HTTP ${upstream.httpStatus}`}</code> {upstream.errorMsg}
                </dd>
                {upstream.dasRequestId && (
                  <>
                    <dt>DAS request id</dt>
                    <dd>
                      <code>{upstream.dasRequestId}</code> <CopyButton value={upstream.dasRequestId} label="Copy DAS request id" />
                    </dd>
                  </>
                )}
              </>
            )}
            {api?.requestId && (
              <>
                <dt>Request id</dt>
                <dd>
                  <code>{api.requestId}</code> <CopyButton value={api.requestId} label="Copy request id" />
                </dd>
              </>
            )}
          </dl>
        </details>
      )}
    </div>
  );
}
