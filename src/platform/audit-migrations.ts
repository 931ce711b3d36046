// The audit log's own chain: batches of audit_log rows sealed under an HMAC chain (audit.ts).
// audit_log itself is unchanged: writers insert as before, with no row every writer must lock.
import type { AppMigration } from '../db/migrate.js';

export const auditMigrations: AppMigration[] = [
  {
    name: '0221_platform_audit_seals',
    async up(db) {
      await db.schema
        .createTable('audit_seals')
        .addColumn('no', 'integer', (c) => c.primaryKey()) // 1, 2, 3…: two sealers cannot both write one
        .addColumn('first_id', 'text', (c) => c.notNull())
        .addColumn('last_id', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('prev_mac', 'text', (c) => c.notNull())
        .addColumn('sealed_at', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
