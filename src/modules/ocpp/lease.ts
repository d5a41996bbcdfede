import type { Ctx } from '../../platform/context.ts';
import type { ClockTimer } from '../../platform/clock.ts';
import { releaseChargersOfNodes } from '../registry/index.ts';

/** A node that has not renewed its lease for this long is dead. */
export const NODE_LEASE_MS = 60_000;
/** Renewal (and reaping of dead nodes) runs this often: three renewals fit in one lease. */
export const NODE_LEASE_RENEW_MS = 15_000;

/**
 * Gateway nodes hold chargers' sockets; a node that dies (kill -9, a lost machine) cannot close its
 * ocpp_connections rows or mark its chargers disconnected. Each node renews a lease row on
 * ctx.clock; on every renewal it also reaps: any lease that expired is deleted, the open connection
 * rows of that node end at the lease expiry ('node lease expired') and its chargers are released
 * (disconnected, so commands answer 409 instead of being relayed into the void). A node that finds
 * its own lease gone (it stalled longer than a lease) has been declared dead: it closes its sockets
 * so the chargers reconnect and are recorded again.
 */
export class NodeLease {
  private timer: ClockTimer | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private ctx: Ctx,
    /** closes every socket this node holds (the lease was lost) */
    private dropAll: (reason: string) => void,
  ) {}

  async start() {
    const now = this.ctx.clock.date();
    await this.ctx.db.query(
      `INSERT INTO ocpp_node_leases (node_id, started_at, renewed_at, expires_at) VALUES ($1, $2, $2, $3)
       ON CONFLICT (node_id) DO UPDATE SET renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at`,
      [this.ctx.nodeId, now, new Date(now.getTime() + NODE_LEASE_MS)],
    );
    this.timer = this.ctx.clock.setInterval(() => void this.tick(), NODE_LEASE_RENEW_MS).unref();
  }

  /** Renews this node's lease and reaps the dead ones (serialised: a slow database never stacks ticks). */
  tick(): Promise<void> {
    this.running = this.running
      .then(async () => {
        await this.renew();
        await this.reap();
      })
      .catch((err) => this.ctx.log.error({ err }, 'OCPP node lease renewal failed'));
    return this.running;
  }

  private async renew() {
    const now = this.ctx.clock.date();
    const expires = new Date(now.getTime() + NODE_LEASE_MS);
    const r = await this.ctx.db.query(`UPDATE ocpp_node_leases SET renewed_at = $2, expires_at = $3 WHERE node_id = $1`, [this.ctx.nodeId, now, expires]);
    if (r.rowCount) return;
    this.ctx.log.error({ nodeId: this.ctx.nodeId }, 'this node lost its lease (it stalled longer than a lease): closing its chargers so they reconnect');
    await this.ctx.db.query(`INSERT INTO ocpp_node_leases (node_id, started_at, renewed_at, expires_at) VALUES ($1, $2, $2, $3) ON CONFLICT (node_id) DO NOTHING`, [this.ctx.nodeId, now, expires]);
    this.dropAll('node lease lost');
  }

  /** Ends what dead nodes left open; returns the nodes reaped. */
  async reap(): Promise<string[]> {
    const ctx = this.ctx;
    // one transaction: the rows end and the chargers are released together
    const { nodes, released } = await ctx.db.tx(async (q) => {
      const d = await q.query<{ node_id: string; expires_at: Date }>(`DELETE FROM ocpp_node_leases WHERE expires_at < $1 AND node_id <> $2 RETURNING node_id, expires_at`, [
        ctx.clock.date(),
        ctx.nodeId,
      ]);
      for (const n of d.rows)
        await q.query(`UPDATE ocpp_connections SET disconnected_at = $2, reason = 'node lease expired' WHERE node_id = $1 AND disconnected_at IS NULL`, [n.node_id, n.expires_at]);
      const nodes = d.rows.map((n) => n.node_id);
      return { nodes, released: await releaseChargersOfNodes(q, nodes) };
    });
    if (!nodes.length) return [];
    for (const c of released) ctx.events.emit('charger.connection', { operatorId: c.operator_id, chargerId: c.id, connected: false, at: ctx.clock.date() });
    ctx.log.warn({ nodes, chargers: released.length }, 'OCPP nodes whose lease expired: their connections closed, their chargers marked disconnected');
    return nodes;
  }

  /** A clean stop: the lease goes (this node's own close handlers have ended its rows). */
  async stop() {
    this.ctx.clock.clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.ctx.db.query(`DELETE FROM ocpp_node_leases WHERE node_id = $1`, [this.ctx.nodeId]).catch(() => {});
  }
}
