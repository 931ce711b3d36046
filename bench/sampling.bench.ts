// Supervisory sampling at city scale, SQLite and PostgreSQL (`npm run bench sampling`).
// Fixture, in a throwaway database (bench/sampling-fixture.ts): 200,000 enterprises with a product
// link and a credit grade each, one published plan per year 2023–2026 with ~200,000 tasks and
// samples and ~1,000,000 item results — bulk inserts in chunks, straight into the tables (a
// benchmark fixture, not the demo). Then:
//  (a) pass-rate statistics (town × category × year and the other views, as GET /sampling/stats
//      computes them) against a bare `SELECT year, town_code, category_code, verdict, count(*) …
//      GROUP BY` (goal ≤ 500 ms);
//  (b) the draw over the 200,000-enterprise pool (previewDraw: gather, compute, present) against a
//      bare `SELECT e.id, g.grade … JOIN` of the same pool (goal ≤ 200 ms and ≤ 2×);
//  (c) one result entered → the enterprise's new grade visible, p50/p99 (goal p99 ≤ 10 ms).
// BENCH_ENTERPRISES and BENCH_SAMPLES scale the fixture (default 200,000 each); BENCH_DIALECT picks
// one database.
import { sql } from 'kysely';
import { refreshStatistics } from '../src/db/maintenance.js';
import { testContext } from '../src/testing/db.js';
import { benchDialects, type Row, time, writeResults } from './lib.js';
import { buildFixture } from './sampling-fixture.js';
import { measureSampling } from './sampling-measure.js';

const ENTERPRISES = Number(process.env.BENCH_ENTERPRISES || 200_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200_000);
const rows: Row[] = [];

for (const dialect of benchDialects()) {
  console.log(`\n=== ${dialect} ===`);
  const rt = await testContext(dialect);
  try {
    const built = await time(() => buildFixture(rt, { enterprises: ENTERPRISES, samples: SAMPLES }));
    const f = built.value;
    await refreshStatistics(rt.db, rt.dialect);
    // After a bulk load PostgreSQL's autovacuum would set the visibility map (index-only scans).
    if (rt.dialect === 'postgres') await sql`VACUUM (ANALYZE) sampling_samples`.execute(rt.db);
    console.log(
      `fixture: ${f.enterprises} enterprises (register ${(f.registerMs / 1000).toFixed(1)} s), ${f.samples} samples, ${f.results} results in ${(built.ms / 1000).toFixed(1)} s`,
    );
    rows.push({
      dialect,
      metric: `fixture (${f.enterprises} enterprises, ${f.samples} samples, ${f.results} results)`,
      value: built.ms / 1000,
      unit: 's',
    });

    rows.push(...(await measureSampling(rt, f, dialect)));
  } finally {
    await rt.close();
  }
}
writeResults('sampling', rows, { enterprises: ENTERPRISES, samples: SAMPLES });
