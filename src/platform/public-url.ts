import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from './context.ts';

/** Every URL the platform hands out (payment notify URLs, H5 links, QR codes) is built here, from PUBLIC_BASE_URL. */
export function publicUrl(ctx: Pick<Ctx, 'config'>, path: string): string {
  return ctx.config.publicBaseUrl + (path.startsWith('/') ? path : '/' + path);
}

export interface PublicUrlStatus {
  publicBaseUrl: string;
  ok: boolean;
  checkedAt: string | null;
  message: string;
}

/**
 * Checks that PUBLIC_BASE_URL reaches this very process: the process answers a random token at
 * /api/v1/self-check/{token} and fetches it back through the public URL (case 4: an old domain;
 * case 5: payment callbacks sent to a URL that reached nothing).
 */
export class PublicUrlCheck {
  readonly token = randomBytes(16).toString('hex');
  status: PublicUrlStatus;
  private lastRun = 0;

  constructor(private ctx: Ctx) {
    this.status = { publicBaseUrl: ctx.config.publicBaseUrl, ok: false, checkedAt: null, message: 'not checked yet' };
  }

  routes(app: FastifyInstance) {
    // Public by design: it answers only this process's random token, nothing else.
    app.get('/api/v1/self-check/:token', { schema: { hide: true } }, async (req, reply) => {
      const t = (req.params as { token: string }).token;
      if (t !== this.token) return reply.status(404).send({ error: { code: 'not_found', message: 'unknown self-check token' } });
      return { token: this.token, node: this.ctx.nodeId };
    });
  }

  /** Runs the check (at most every `maxAgeMs`) and keeps the result for the console and /readyz. */
  async check(maxAgeMs = 10_000): Promise<PublicUrlStatus> {
    const now = this.ctx.clock.now();
    if (now - this.lastRun < maxAgeMs && this.status.checkedAt) return this.status;
    this.lastRun = now;
    const base = this.ctx.config.publicBaseUrl;
    const at = new Date(now).toISOString();
    if (!this.ctx.config.PUBLIC_BASE_URL && this.ctx.config.PORT === 0) {
      this.status = { publicBaseUrl: base, ok: true, checkedAt: at, message: 'skipped: PUBLIC_BASE_URL is not set and the port is chosen at random' };
      return this.status;
    }
    const url = `${base}/api/v1/self-check/${this.token}`;
    let message: string;
    let ok = false;
    // Behind a load balancer the fetch may land on another node: a few tries before calling it wrong.
    for (let i = 0; i < 3 && !ok; i++) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'follow' });
        const body = (await res.json().catch(() => null)) as { token?: string } | null;
        ok = res.status === 200 && body?.token === this.token;
        message = ok ? `${base} reaches this instance` : `PUBLIC_BASE_URL ${base} does not reach this instance: ${url} answered ${res.status}${res.status === 200 ? ' with another token' : ''}`;
      } catch (e) {
        message = `PUBLIC_BASE_URL ${base} does not reach this instance: ${url} failed (${(e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message})`;
      }
    }
    const msg = message! + (ok ? '' : '. Payment callbacks and the links given to drivers would not reach the platform; fix PUBLIC_BASE_URL.');
    // Loud once (error) on the first failed check, then a warning whenever the reason changes.
    if (!ok && (this.status.ok || this.status.message !== msg)) this.ctx.log[this.status.checkedAt ? 'warn' : 'error']({ publicBaseUrl: base, check: 'public-url' }, msg);
    if (ok && !this.status.ok && this.status.checkedAt) this.ctx.log.info({ publicBaseUrl: base }, msg);
    this.status = { publicBaseUrl: base, ok, checkedAt: at, message: msg };
    return this.status;
  }
}
