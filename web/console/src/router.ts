import { useEffect, useState } from 'react';

/** A tiny history router for the console under /console (the server answers every /console/* with index.html). */
export const BASE = '/console';

export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p || '/';
}

export function navigate(to: string, replace = false) {
  const url = BASE + (to === '/' ? '' : to);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('console:navigate'));
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const f = () => setTick((n) => n + 1);
    window.addEventListener('popstate', f);
    window.addEventListener('console:navigate', f);
    return () => (window.removeEventListener('popstate', f), window.removeEventListener('console:navigate', f));
  }, []);
  return { path: currentPath(), search: new URLSearchParams(location.search) };
}

/** Matches '/chargers/:id' against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return out;
}
