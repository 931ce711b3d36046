// `npx zhihui <command>`: serve, migrate, seed, import, export, users add, audit verify|checkpoint|seal,
// deadline (platform commands, here), then each module's own commands from its `cli` hook (credit
// grade|regrade: src/modules/credit/cli.ts) — adding a module never edits this file. Each command
// that needs the database opens the one named by DATABASE_URL, migrated, and closes it when done.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { allEventHandlers, allJobs, MODULES } from '../modules/index.js';
import type { SeedScale } from '../modules/types.js';
import { startAuditSealer } from '../platform/audit.js';
import { purgeSessionsJob } from '../platform/auth/sessions.js';
import { startDispatcher } from '../platform/events/dispatcher.js';
import { startScheduler } from '../platform/jobs.js';
import { buildApp, WEB_DIST } from '../server/app.js';
import { registerAuditCommands } from './audit.js';
import { registerDeadlineCommand } from './deadline.js';
import { accountsBanner, DEMO_ACCOUNTS, ensureDemoAccounts, ensureDemoData } from './demo.js';
import { createCliEnv, openRuntime, runProgram } from './env.js';
import { runExport, runImport } from './import-export.js';
import { progressBar } from './progress.js';
import { usersAdd } from './users.js';

const env = createCliEnv();
const { withRuntime } = env;

function buildWebIfMissing() {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  console.log('首次启动：正在构建网页端 (vite build)… / Building the web app once…');
  const root = path.resolve(WEB_DIST, '../..');
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) console.error('网页端构建失败，API 仍可使用 / Web build failed; the API still runs.');
}

const program = new Command();
program.name('zhihui').description('质汇 Zhihui — city quality-governance platform').version('0.1.0');

program
  .command('serve')
  .description('Run the web app and API (migrates the database and loads the demo city on first run)')
  .option('--build-web-if-missing', 'build web/dist first when it is missing')
  .option('--no-demo', 'do not load the demo city into an empty database')
  .action(async (opts: { buildWebIfMissing?: boolean; demo: boolean }) => {
    if (opts.buildWebIfMissing) buildWebIfMissing();
    const config = loadConfig();
    const rt = await openRuntime(config);
    if (rt.migrated.length) console.log(`数据库已迁移 Migrated: ${rt.migrated.join(', ')}`);
    if (opts.demo) {
      const bar = progressBar('载入演示数据 Loading demo city');
      const demo = await ensureDemoData(rt, { onProgress: bar.update });
      bar.stop();
      if (demo)
        console.log(
          `演示数据已载入：${demo.enterprises} 家企业 / Demo city loaded: ${demo.enterprises} enterprises`,
        );
    }
    const app = await buildApp(rt, { logger: true });
    const stopJobs = startScheduler(rt, [purgeSessionsJob, ...allJobs()]);
    const stopSealer = startAuditSealer(rt);
    const stopDispatch = startDispatcher(rt, allEventHandlers());
    const shutdown = async () => {
      stopJobs();
      stopSealer();
      stopDispatch();
      await app.close();
      await rt.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    await app.listen({ port: config.port, host: config.host });
    // The demo accounts first (the seeded inspectors' passwords are known to nobody), then by age.
    const demoNames = DEMO_ACCOUNTS.map((a) => a.username);
    const users = await rt.db
      .selectFrom('users')
      .select(['username', 'role'])
      .orderBy((eb) => eb.case().when('username', 'in', demoNames).then(0).else(1).end())
      .orderBy('created_at')
      .limit(10)
      .execute();
    const total = await rt.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const addr = app.server.address();
    const url = `http://localhost:${typeof addr === 'object' && addr ? addr.port : config.port}`;
    console.log(`
质汇 Zhihui 已启动 / is running
  网页 Web:        ${url}/
  公众查询 Portal: ${url}/portal
  接口文档 API:    ${url}/api/docs
  数据库 Database: ${config.database.dialect} ${config.database.dialect === 'sqlite' ? config.database.file : ''}
${accountsBanner(users, Number(total.n))}
`);
  });

program
  .command('migrate')
  .description('Create or upgrade the database schema and load reference data')
  .action(() =>
    withRuntime(async (rt) => {
      console.log(rt.migrated.length ? `Applied: ${rt.migrated.join(', ')}` : 'Database is up to date.');
    }),
  );

program
  .command('seed')
  .description('Load generated data: demo (~2,000 enterprises) or city (200,000), deterministic per --seed')
  .addOption(new Option('--scale <scale>', 'demo or city').choices(['demo', 'city']).default('demo'))
  .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 2016)
  .action((opts: { scale: SeedScale; seed: number }) =>
    withRuntime(async (rt) => {
      const start = performance.now();
      const bar = progressBar(`Seeding ${opts.scale}`);
      for (const m of MODULES)
        await m.seed?.(rt, { scale: opts.scale, seed: opts.seed, onProgress: bar.update });
      bar.stop();
      // the demo city comes with its accounts, as on first `serve` (existing ones are kept)
      if (opts.scale === 'demo') {
        const created = await ensureDemoAccounts(rt);
        if (created.length) console.log(`Demo accounts: ${created.map((a) => a.username).join(', ')}`);
      }
      console.log(
        `Seeded ${opts.scale} (seed ${opts.seed}) in ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    }),
  );

const imp = program.command('import').description('Import data from a file');
imp
  .command('enterprises <file>')
  .description('Import enterprises from CSV (UTF-8 or GB18030) or XLSX; upserts by USCC')
  .option('--dry-run', 'check every row and report, write nothing')
  .option('--report <file>', 'write the JSON report here')
  .action((file: string, opts: { dryRun?: boolean; report?: string }) =>
    withRuntime((rt) => runImport(rt, { file, dryRun: !!opts.dryRun, report: opts.report })),
  );

const exp = program.command('export').description('Export data to a file');
exp
  .command('enterprises <file>')
  .description('Export enterprises to CSV (UTF-8 with BOM) or XLSX, by the file extension')
  .option('--town <code>', 'only this town')
  .option('--industry <code>', 'only this industry section or division')
  .option('--status <status>', 'only this status')
  .action((file: string, opts: { town?: string; industry?: string; status?: string }) =>
    withRuntime((rt) => runExport(rt, { file, filters: opts })),
  );

registerAuditCommands(program, withRuntime);

const users = program.command('users').description('Manage user accounts');
users
  .command('add')
  .description('Create a user account')
  .requiredOption('--username <name>', 'login name (3–32 of a-z 0-9 . _ -)')
  .requiredOption('--password <password>', 'at least 10 characters, 3 of: upper, lower, digit, symbol')
  .addOption(
    new Option('--role <role>', 'role')
      .choices(['admin', 'regulator', 'townOfficer', 'enterprise', 'lab', 'maintenanceUnit'])
      .makeOptionMandatory(),
  )
  .option('--display-name <name>', 'name shown in the app')
  .option('--town <code>', 'town code, for townOfficer')
  .option('--enterprise <uscc>', 'USCC of the enterprise, for enterprise, lab and maintenanceUnit')
  .action(
    (opts: {
      username: string;
      password: string;
      role: string;
      displayName?: string;
      town?: string;
      enterprise?: string;
    }) =>
      withRuntime(async (rt) => {
        await usersAdd(rt, opts);
        console.log(`User ${opts.username} (${opts.role}) created.`);
      }),
  );

registerDeadlineCommand(program, env);

// each module's own commands, in the order of MODULES
for (const m of MODULES) m.cli?.(program, env);

const code = await runProgram(program, process.argv, env);
if (code !== 0) process.exit(code);
