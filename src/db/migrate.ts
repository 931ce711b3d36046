// Runs the static list of migrations (platform first, then each module in dependency order)
// with Kysely's Migrator, on either dialect. Migrations never change once released.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db, Dialect } from './connect.js';

export type AppMigration = {
  name: string; // globally ordered: NNNN_module_what
  up: (db: Kysely<any>, dialect: Dialect) => Promise<void>;
};

export async function migrateToLatest(db: Db, dialect: Dialect, migrations: AppMigration[]) {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        migrations.map((m): [string, Migration] => [m.name, { up: (k) => m.up(k, dialect) }]),
      ),
  };
  // Kysely looks for its table in any schema unless told which: on PostgreSQL name ours, so that
  // databases living in separate schemas (tests, tenants) never see each other's migrations.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Column type for a JSON document: jsonb-compatible text on both dialects. */
export const jsonType = 'text' as const;
