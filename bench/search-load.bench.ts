// Search under load (review issue 7, finding 6): many clients searching the register must not
// starve everything else. On a seeded city (BENCH_SCALE, default city = 200,000 enterprises) the
// server runs in this process while a separate process (search-load-client.mjs) drives
// BENCH_CONNECTIONS (default 200) search clients with autocannon and opens a fresh connection to
// /api/health every 100 ms. Reported: /api/health latency under that load, as a ratio to the same
// probe on the idle server measured just before (the baseline); the searches' own throughput and
// latency, and how many were shed with 503 + Retry-After.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { seedRegistry } from '../src/modules/registry/seed.js';
import { buildApp } from '../src/server/app.js';
import { testContext } from '../src/testing/db.js';
import { testApp } from '../src/testing/http.js';
import { benchDialects, percentile, type Row, writeResults } from './lib.js';

const SCALE = (process.env.BENCH_SCALE as 'city' | 'demo') || 'city';
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 200);
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'search-load-client.mjs');
// what people type: common words (an early stop in name order), rarer ones and misses (a long
// walk of the name index), a USCC prefix
const QUERIES = [
  '五金',
  '电子',
  '科技',
  '塑胶',
  '模具',
  '东莞市',
  '精密',
  '服装',
  '长安',
  '鑫',
  '不存在的企业',
  'zz',
  '914419',
];
const COUNT = process.env.BENCH_ENTERPRISES ? Number(process.env.BENCH_ENTERPRISES) : undefined;
const rows: Row[] = [];

type Probe = { ms: number; status: number };

type ClientResult = {
  health: Probe[];
  search?: {
    rps: number;
    total: number;
    p50: number;
    p99: number;
    max: number;
    errors: number;
    timeouts: number;
    statuses: Record<string, number>;
  };
};

/** Runs the load client (asynchronously: this process's event loop is the server's). */
function runClient(base: string, cookie: string, seconds: number, mode: 'idle' | 'load') {
  return new Promise<ClientResult>((resolve, reject) => {
    const child = spawn(process.execPath, [
      CLIENT,
      base,
      cookie,
      String(seconds),
      String(CONNECTIONS),
      JSON.stringify(QUERIES),
      mode,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    child.stderr.on('data', (b) => {
      err += b;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ClientResult) : reject(new Error(`load client: ${err}`)),
    );
  });
}

const sorted = (p: Probe[]) => p.map((x) => x.ms).sort((a, b) => a - b);

for (const dialect of benchDialects()) {
  console.log(`\n=== ${dialect} ===`);
  const rt = await testContext(dialect);
  try {
    await seedRegistry(rt, { scale: SCALE, seed: 2016, count: COUNT });
    const { sessions, close } = await testApp(rt, [{ username: 'searcher', role: 'regulator' }]);
    await close();
    const app = await buildApp(rt);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    try {
      const idle = sorted((await runClient(base, sessions.searcher!.cookie, 3, 'idle')).health);
      // the load, and beside it (from a second process, after a second of build-up) the probe;
      // the server's event-loop delay is sampled meanwhile
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const loadRun = runClient(base, sessions.searcher!.cookie, SECONDS, 'load');
      await new Promise((r) => setTimeout(r, 1000));
      const probeRun = runClient(base, sessions.searcher!.cookie, SECONDS - 1.5, 'idle');
      const [loaded, probed] = await Promise.all([loadRun, probeRun]);
      lag.disable();
      const health = sorted(probed.health);
      const s = loaded.search!;
      const failedHealth = probed.health.filter((p) => p.status !== 200).length;
      const idleP99 = percentile(idle, 99);
      console.log(JSON.stringify({ idle: { p50: percentile(idle, 50), p99: idleP99 }, search: s }));
      rows.push(
        { dialect, metric: 'health p50, idle', value: percentile(idle, 50), unit: 'ms' },
        {
          dialect,
          metric: `health p50, ${CONNECTIONS} search clients`,
          value: percentile(health, 50),
          unit: 'ms',
          baseline: 'health p99 idle',
          ratio: percentile(health, 50) / idleP99,
        },
        {
          dialect,
          metric: `health p99, ${CONNECTIONS} search clients`,
          value: percentile(health, 99),
          unit: 'ms',
          goal: '< 1,000 ms',
          baseline: 'health p99 idle',
          ratio: percentile(health, 99) / idleP99,
        },
        { dialect, metric: 'health probes not 200', value: failedHealth, unit: `of ${health.length}` },
        { dialect, metric: 'server event-loop delay p99', value: lag.percentile(99) / 1e6, unit: 'ms' },
        { dialect, metric: 'server event-loop delay max', value: lag.max / 1e6, unit: 'ms' },
        { dialect, metric: 'search throughput', value: s.rps, unit: 'req/s' },
        { dialect, metric: 'search latency p50 (all answers)', value: s.p50, unit: 'ms' },
        { dialect, metric: 'search latency p99 (all answers)', value: s.p99, unit: 'ms' },
        { dialect, metric: 'searches answered 200', value: s.statuses['200'] ?? 0, unit: `of ${s.total}` },
        { dialect, metric: 'searches shed 503', value: s.statuses['503'] ?? 0, unit: `of ${s.total}` },
      );
    } finally {
      await app.close();
    }
  } finally {
    await rt.close();
  }
}

writeResults('search-load', rows, {
  scale: SCALE,
  seconds: SECONDS,
  connections: CONNECTIONS,
  queries: QUERIES,
});
