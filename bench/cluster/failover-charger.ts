import { RawCharger } from '../ocpp/raw-charger.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A raw charger that knows every node's URL: when its socket drops (the node died) it reconnects
 * to the next node, after a random 0.1–1 s back-off as real chargers do (hundreds at the same
 * instant would be a reconnect storm of the bench's own making), and keeps trying until stopped.
 */
export class FailoverCharger extends RawCharger {
  private stopped = false;
  /** index in `urls` of the node this charger is connected to */
  node: number;
  /** when the last failover connected (ms since epoch), 0 if never */
  reconnectedAt = 0;

  constructor(
    readonly urls: string[],
    id: string,
    authKey: string,
    home: number,
  ) {
    super(urls[home], id, authKey);
    this.node = home;
  }

  async connectTo(i: number, timeoutMs = 30_000) {
    await this.connect(timeoutMs, this.urls[i]);
    this.node = i;
    const ws = this.ws!;
    ws.once('close', () => {
      if (this.ws === ws && !this.stopped) void this.failover();
    });
  }

  private async failover() {
    for (let attempt = 1; !this.stopped; attempt++) {
      await sleep(100 + Math.random() * 900);
      try {
        await this.connectTo((this.node + attempt) % this.urls.length);
        this.reconnectedAt = Date.now();
        return;
      } catch {
        /* that node is down too (or busy): the next one */
      }
    }
  }

  stop() {
    this.stopped = true;
    this.close();
  }
}
