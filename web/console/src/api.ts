/** The console talks only to the public /api/v1, like every other client. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details?: unknown) {
    super(message);
  }
}

export interface Me {
  username: string;
  role: 'platform_admin' | 'operator_admin' | 'operator_staff' | 'enterprise_admin';
  operatorId: string | null;
  /** an enterprise admin's one enterprise */
  enterpriseId?: string | null;
}

const TOKEN = 'chargeops.token';
const ME = 'chargeops.me';
const OPERATOR = 'chargeops.operator';

export const session = {
  token: () => localStorage.getItem(TOKEN),
  me: (): Me | null => {
    try {
      return JSON.parse(localStorage.getItem(ME) ?? 'null');
    } catch {
      return null;
    }
  },
  /** The operator the console acts for: a platform admin picks one, staff always have their own. */
  operator: () => session.me()?.operatorId ?? localStorage.getItem(OPERATOR),
  setOperator: (id: string) => localStorage.setItem(OPERATOR, id),
  save(token: string, me: Me) {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(ME, JSON.stringify(me));
  },
  clear() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(ME);
  },
};

let onUnauthorized: () => void = () => {};
export const setOnUnauthorized = (f: () => void) => (onUnauthorized = f);

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (json) h['content-type'] = 'application/json';
  const t = session.token();
  if (t) h.authorization = `Bearer ${t}`;
  const op = session.operator();
  if (op && session.me()?.role === 'platform_admin') h['x-operator-id'] = op;
  return h;
}

/** Sends one request to the API and reads its answer: JSON back, or an ApiError with the server's code and message. */
async function request<T>(method: string, path: string, init: { headers: Record<string, string>; body?: BodyInit }): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { method, ...init });
  const text = await res.text();
  let data: any = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.details);
  }
  return data as T;
}

export const api = <T = any>(method: string, path: string, body?: unknown): Promise<T> =>
  request<T>(method, path, { headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T = any>(path: string, body?: unknown) => api<T>('PUT', path, body ?? {});
export const patch = <T = any>(path: string, body?: unknown) => api<T>('PATCH', path, body ?? {});
export const del = <T = any>(path: string) => api<T>('DELETE', path);

/** A multipart upload (FormData) to the API, JSON back. */
export const upload = <T = any>(path: string, form: FormData): Promise<T> => request<T>('POST', path, { headers: headers(false), body: form });

/** A raw-body upload (a firmware file): the file is the request body, JSON back. */
export const uploadRaw = <T = any>(path: string, body: Blob): Promise<T> =>
  request<T>('POST', path, { headers: { ...headers(false), 'content-type': 'application/octet-stream' }, body });

/** Query string from an object, skipping empty values. */
export function qs(params: Record<string, unknown>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Downloads a file from the API with the bearer token (an <a href> cannot carry it). */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await fetch(`/api/v1${path}`, { headers: headers(false) });
  if (!res.ok) {
    let msg = res.statusText;
    try {
      msg = (await res.json()).error.message;
    } catch {}
    throw new ApiError(res.status, String(res.status), msg);
  }
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1]) : fallbackName;
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => (URL.revokeObjectURL(a.href), a.remove()), 1000);
  return name;
}
