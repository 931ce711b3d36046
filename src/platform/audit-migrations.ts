// The audit log's own chain (0221): batches of audit_log rows sealed under an HMAC chain (audit.ts).
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
  {
    // The audit trail's screen (audit-trail.ts): newest first, alone or by actor or action. The
    // enterprise (enterprise_id, at) and resource (resource_type, resource_id, at) indexes are 0001's.
    name: '0330_platform_audit_trail',
    async up(db) {
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'at']).execute();
      await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'at']).execute();
    },
  },
];
