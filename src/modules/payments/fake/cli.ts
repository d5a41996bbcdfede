import { parseArgs } from 'node:util';
import { startFakeWechatpay } from './server.ts';

/** `chargeops fake-wechatpay --port P [--time-scale S] [--serial-style pubkey|cert] [--public-url URL]` */
export async function fakeWechatpayCli(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string', default: '9090' }, host: { type: 'string', default: '127.0.0.1' }, 'time-scale': { type: 'string', default: '1' }, 'serial-style': { type: 'string', default: 'pubkey' }, 'public-url': { type: 'string' } },
  });
  const port = Number(values.port);
  const timeScale = Number(values['time-scale']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  if (!(timeScale > 0)) throw new Error(`--time-scale must be a positive number, got ${values['time-scale']}`);
  const style = values['serial-style'] === 'cert' ? 'cert' : 'pubkey';
  const fake = await startFakeWechatpay({ port, host: values.host, timeScale, serialStyle: style, publicUrl: values['public-url'] });
  console.log(`fake WeChat Pay v3 listening on ${fake.url} (callback retries x${timeScale})`);
  console.log('Operator settings (provisioning `payments`, or PUT /api/v1/settings/payments):');
  console.log(JSON.stringify({ payments: { wechatpay: fake.operatorSettings() } }, null, 2));
  console.log(`Pay an order: curl -X POST ${fake.url}/fake/pay/{out_trade_no}   knobs: POST ${fake.url}/fake/knobs   deliveries: GET ${fake.url}/fake/deliveries`);
  await new Promise<void>((resolve) => {
    const stop = () => fake.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
