// SQL text may hold literals such as passwords: what is kept (stored previews, the audit) keeps who and
// where of a session, never its statement.
import type { ExcludedSession } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';

export function withoutSql(s: Session): Session {
  return { ...s, sql: '', state: '' };
}

export function excludedWithoutSql(excluded: ExcludedSession[]): ExcludedSession[] {
  return excluded.map((e) => (e.session ? { ...e, session: withoutSql(e.session) } : e));
}
