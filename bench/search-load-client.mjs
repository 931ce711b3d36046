// The client side of bench/search-load.bench.ts, in processes of its own so that it never shares
// the server's event loop: `load` drives many search clients with autocannon; `idle` (the probe,
// in another process beside the load) opens a fresh connection to /api/health every 100 ms and
// times each answer.
// argv: <baseUrl> <cookie> <seconds> <connections> <queries as JSON>
import http from 'node:http';
import autocannon from 'autocannon';

const [base, cookie, seconds, connections, queriesJson] = process.argv.slice(2);
const duration = Number(seconds);
const queries = JSON.parse(queriesJson);
const CAP_MS = 30_000;

function probeOnce(path) {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.get(`${base}${path}`, { agent: false, timeout: CAP_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - start, status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - start, status: 0 }));
  });
}

async function probe(ms, path) {
  const pending = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    pending.push(probeOnce(path));
    await new Promise((r) => setTimeout(r, 100));
  }
  return Promise.all(pending);
}

const mode = process.argv[7] ?? 'load';
if (mode === 'idle') {
  const health = await probe(duration * 1000, '/api/health');
  process.stdout.write(JSON.stringify({ health }));
} else {
  let i = 0;
  const statuses = {};
  const load = autocannon({
    url: base,
    connections: Number(connections),
    pipelining: 1,
    duration,
    timeout: 60,
    headers: { cookie },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/enterprises?q=${encodeURIComponent(queries[i++ % queries.length])}`,
        }),
        onResponse: (status, _body, ctx) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  const result = await load;
  process.stdout.write(
    JSON.stringify({
      search: {
        rps: result.requests.average,
        total: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        errors: result.errors,
        timeouts: result.timeouts,
        statuses,
      },
    }),
  );
}
