// The Node.js flags the server runs with: `npm start`, deploy/chargeops.service and the benches that
// measure the server's own paths all take them from here (bin/node-flags.test.ts keeps them equal).
//
// --max-semi-space-size=64: V8's young generation grows up to 64 MiB a half (16 MiB by default).
// Parsing a partner's million-row statement allocates a chunk's rows faster than a small nursery
// can let them die, and the scavenger copied them over and over: 27 % of the staging's CPU, which
// took 2.0 s instead of 2.8 s with this flag (bench/reconciliation, docs/performance.md). The young
// generation is committed only as it is used, so an idle server stays as small.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];
