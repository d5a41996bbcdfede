import { useCallback, useEffect, useRef, useState } from 'react';
import { get, ApiError } from './api.ts';

/** GET with loading/error state; reloads when the path changes, and every `pollMs` if given. */
export function useApi<T = any>(path: string | null, opts: { pollMs?: number } = {}) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const load = useCallback(
    async (quiet = false) => {
      if (!path) return;
      const my = ++seq.current;
      if (!quiet) setLoading(true);
      try {
        const d = await get<T>(path);
        if (my === seq.current) (setData(d), setError(null));
      } catch (e) {
        if (my === seq.current) setError(e as ApiError);
      } finally {
        if (my === seq.current) setLoading(false);
      }
    },
    [path],
  );
  useEffect(() => {
    load();
    if (!opts.pollMs) return;
    const t = setInterval(() => load(true), opts.pollMs);
    return () => clearInterval(t);
  }, [load, opts.pollMs]);
  return { data, error, loading, reload: load, setData };
}
