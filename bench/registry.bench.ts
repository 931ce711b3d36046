// Benchmarks of the foundation at city scale (200,000 enterprises), on SQLite and PostgreSQL:
//  - seed time, with the ratio to a bare multi-row insert of as many rows of the same width;
//  - import of a 100,000-row CSV (rows/s), with the ratio to parsing the same file alone;
//  - enterprise search latency p50/p99 over a mix of real queries, with the ratio to a
//    primary-key look-up;
//  - throughput of GET /api/v1/enterprises/{uscc} as a ratio to a bare Fastify route returning a
//    constant JSON, both driven by the same autocannon settings in this process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import {
  type EnterpriseFilter,
  findEnterpriseByUscc,
  searchEnterprises,
} from '../src/modules/registry/enterprises.js';
import { exportEnterprisesCsv } from '../src/modules/registry/import/export.js';
import { importEnterprises } from '../src/modules/registry/import/import.js';
import { seedRegistry } from '../src/modules/registry/seed.js';
import { makeUscc } from '../src/modules/registry/uscc.js';
import { createUser } from '../src/platform/auth/users.js';
import { systemActor } from '../src/platform/context.js';
import { buildApp } from '../src/server/app.js';
import { testContext } from '../src/testing/db.js';
import { benchDialects, percentile, type Row, time, writeResults } from './lib.js';

const SCALE = (process.env.BENCH_SCALE as 'city' | 'demo') || 'city';
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS || 100_000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS || 8);
const rows: Row[] = [];

async function loadTest(url: string, headers: Record<string, string>, paths: string[]) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 16,
    pipelining: 1,
    duration: LOAD_SECONDS,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`load test saw ${result.non2xx} non-2xx and ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

function csvFor(n: number, seed: number) {
  const lines = ['统一社会信用代码,企业名称,法定代表人,所属镇街,行业代码,成立日期,状态,企业规模'];
  const towns = ['长安镇', '虎门镇', '厚街镇', '塘厦镇', '常平镇', '大朗镇', '松山湖'];
  for (let i = 0; i < n; i++) {
    const body = `B${seed}${String(i).padStart(6, '0')}`.slice(0, 8);
    const uscc = makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: body });
    lines.push(
      `${uscc},东莞市基准${i}号精密五金有限公司,李${i % 97}明,${towns[i % towns.length]},C33${i % 10},2012-0${(i % 9) + 1}-1${i % 10},存续,小型`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

for (const dialect of benchDialects()) {
  console.log(`\n=== ${dialect} ===`);
  const rt = await testContext(dialect);
  try {
    // 1. Seed, against a bare insert of as many rows of the same width.
    const seeded = await time(() => seedRegistry(rt, { scale: SCALE, seed: 2016 }));
    const n = (
      await rt.db
        .selectFrom('enterprises')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    await sql`create table bench_bare (id text primary key, a text, b text, c text, d text, e text, f text, g text, h text, i text, j text, k text, l text, m text)`.execute(
      rt.db,
    );
    const bare = await time(async () => {
      for (let i = 0; i < Number(n); i += 2000) {
        await rt.db.transaction().execute(async (trx) => {
          for (let j = i; j < Math.min(i + 2000, Number(n)); j += 200) {
            const batch = Array.from({ length: Math.min(200, Number(n) - j) }, (_, k) => {
              const v = `v${j + k}`;
              return {
                id: `${j + k}`,
                a: v,
                b: v,
                c: v,
                d: v,
                e: v,
                f: v,
                g: v,
                h: v,
                i: v,
                j: v,
                k: v,
                l: v,
                m: v,
              };
            });
            await (trx as never as typeof rt.db)
              .insertInto('bench_bare' as never)
              .values(batch as never)
              .execute();
          }
        });
      }
    });
    rows.push({
      dialect,
      metric: `seed ${SCALE} (${n} enterprises)`,
      value: seeded.ms / 1000,
      unit: 's',
      goal: dialect === 'sqlite' ? '≤ 60 s' : undefined,
      baseline: 'bare insert of same rows',
      ratio: seeded.ms / bare.ms,
    });

    // 2. Search latency over a mix of real queries.
    const sample = await rt.db
      .selectFrom('enterprises')
      .select(['uscc', 'name', 'town_code'])
      .orderBy('id')
      .limit(2000)
      .execute();
    const queries: EnterpriseFilter[] = [];
    for (let i = 0; i < 600; i++) {
      const e = sample[(i * 37) % sample.length]!;
      const core = e.name.replace(/^东莞市/, '');
      switch (i % 6) {
        case 0:
          queries.push({ q: core.slice(0, 2) });
          break; // a trade name's first two characters
        case 1:
          queries.push({ q: core.slice(0, 4) });
          break;
        case 2:
          queries.push({ q: e.uscc });
          break;
        case 3:
          queries.push({ q: e.uscc.slice(0, 10) });
          break;
        case 4:
          queries.push({ town: e.town_code, status: 'operating' });
          break;
        default:
          queries.push({ industry: 'C', tag: 'exporter', q: '电子' });
      }
    }
    const lat: number[] = [];
    for (const q of queries) lat.push((await time(() => searchEnterprises(rt, { ...q, limit: 20 }))).ms);
    const pk: number[] = [];
    for (const e of sample.slice(0, 600)) pk.push((await time(() => findEnterpriseByUscc(rt.db, e.uscc))).ms);
    lat.sort((a, b) => a - b);
    pk.sort((a, b) => a - b);
    rows.push({
      dialect,
      metric: 'search p50',
      value: percentile(lat, 50),
      unit: 'ms',
      baseline: 'PK look-up p50',
      ratio: percentile(lat, 50) / percentile(pk, 50),
    });
    rows.push({ dialect, metric: 'search p99', value: percentile(lat, 99), unit: 'ms', goal: '≤ 50 ms' });

    // 3. Throughput of GET /api/v1/enterprises/{uscc} against a bare constant route.
    await createUser({
      ctx: rt,
      actor: systemActor('bench'),
      input: {
        username: 'bench',
        password: 'Bench@2026-load',
        displayName: 'bench',
        role: 'regulator',
        townCode: null,
        enterpriseUscc: null,
      },
    });
    const app = await buildApp(rt);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'bench', password: 'Bench@2026-load' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const bareApp = Fastify();
    const constant = {
      id: '0193',
      uscc: '91441900MA4UJ2TEX1',
      name: '东莞市基准电子有限公司',
      status: 'operating',
    };
    bareApp.get('/const', async () => constant);
    await bareApp.listen({ port: 0, host: '127.0.0.1' });
    const barePort = (bareApp.server.address() as { port: number }).port;
    const paths = sample.slice(0, 1000).map((e) => `/api/v1/enterprises/${e.uscc}`);
    const bareRun = await loadTest(`http://127.0.0.1:${barePort}`, {}, ['/const']);
    const realRun = await loadTest(`http://127.0.0.1:${port}`, { cookie }, paths);
    rows.push({
      dialect,
      metric: 'GET /enterprises/{uscc}',
      value: realRun.rps,
      unit: 'req/s',
      goal: 'ratio ≥ 0.5',
      baseline: `bare route ${bareRun.rps.toFixed(0)} req/s`,
      ratio: realRun.rps / bareRun.rps,
    });
    await app.close();
    await bareApp.close();

    // 4. Import of a 100,000-row CSV, against parsing the same file alone.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-bench-'));
    const file = path.join(dir, 'import.csv');
    fs.writeFileSync(file, `\uFEFF${csvFor(IMPORT_ROWS, 7)}`);
    const dry = await time(() =>
      importEnterprises({ ctx: rt, actor: systemActor('bench'), source: file, dryRun: true }),
    );
    const real = await time(() =>
      importEnterprises({ ctx: rt, actor: systemActor('bench'), source: file, dryRun: false }),
    );
    if (real.value.imported !== IMPORT_ROWS)
      throw new Error(`imported ${real.value.imported} of ${IMPORT_ROWS}`);
    rows.push({
      dialect,
      metric: `import ${IMPORT_ROWS} rows`,
      value: IMPORT_ROWS / (real.ms / 1000),
      unit: 'rows/s',
      goal: '≥ 10,000 rows/s',
      baseline: 'dry run (parse + validate + compare)',
      ratio: real.ms / dry.ms,
    });
    const again = await time(() =>
      importEnterprises({ ctx: rt, actor: systemActor('bench'), source: file, dryRun: false }),
    );
    rows.push({
      dialect,
      metric: 're-import (all unchanged)',
      value: IMPORT_ROWS / (again.ms / 1000),
      unit: 'rows/s',
    });
    const exp = await time(() =>
      exportEnterprisesCsv(rt, { filters: {}, out: fs.createWriteStream(path.join(dir, 'export.csv')) }),
    );
    rows.push({
      dialect,
      metric: `export all to CSV`,
      value: (Number(n) + IMPORT_ROWS) / (exp.ms / 1000),
      unit: 'rows/s',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`seeded sample: ${JSON.stringify(seeded.value)}`);
  } finally {
    await rt.close();
  }
}

writeResults('registry', rows, { scale: SCALE, importRows: IMPORT_ROWS, loadSeconds: LOAD_SECONDS });
