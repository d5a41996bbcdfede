// The ceiling the OCPP bench compares against (issue 15): a bare `ws` server on the same Node that
// parses each OCPP-J CALL and answers it with an empty CALLRESULT — no auth, no validation, no
// database. Run by bench/ocpp/index.ts as a child process: `node bench/ocpp/bare-ws.mjs PORT`.
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ port, host: '127.0.0.1', handleProtocols: (ps) => (ps.has('ocpp1.6') ? 'ocpp1.6' : false) });
wss.on('connection', (ws) => {
  ws.on('message', (buf) => {
    let f;
    try {
      f = JSON.parse(buf.toString('utf8'));
    } catch {
      return;
    }
    if (Array.isArray(f) && f[0] === 2) ws.send(JSON.stringify([3, f[1], f[2] === 'BootNotification' ? { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 } : {}]));
  });
});
wss.on('listening', () => process.stdout.write('ready\n'));
