import { useEffect } from 'react';

/** The tab names the page (and the instance), so several open tabs stay tellable apart. */
export function useDocumentTitle(...parts: (string | undefined | null | false)[]) {
  const title = [...parts.filter(Boolean), 'Quell'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
