/** The driver page's API client: the same /api/v1 as everyone, with the driver's bearer token. */
export const operatorId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
export const BASE = `/h5/${encodeURIComponent(operatorId)}`;
const TOKEN = `chargeops.h5.token.${operatorId}`;

export const auth = {
  token: () => localStorage.getItem(TOKEN),
  set: (t: string) => localStorage.setItem(TOKEN, t),
  clear: () => localStorage.removeItem(TOKEN),
};

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const h: Record<string, string> = {};
  if (body !== undefined) h['content-type'] = 'application/json';
  const t = auth.token();
  if (t) h.authorization = `Bearer ${t}`;
  const res = await fetch(`/api/v1${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data: any;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/driver-auth')) auth.clear();
    throw new ApiError(res.status, data?.error?.code ?? String(res.status), data?.error?.message ?? res.statusText);
  }
  return data as T;
}

/** Client routes under /h5/{operatorId}: '' (charge), '/session', '/orders', '/wallet', '/login'. */
export function route(): string {
  const rest = location.pathname.slice(BASE.length);
  return rest.replace(/\/+$/, '') || '';
}
/** `replace`: a redirect (to the login) takes the place of the page that needed it, so back does not loop. */
export function go(to: string, search = '', replace = false) {
  if (replace) history.replaceState(null, '', BASE + to + search);
  else history.pushState(null, '', BASE + to + search);
  window.dispatchEvent(new Event('h5:navigate'));
}
