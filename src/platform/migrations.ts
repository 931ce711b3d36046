import { sql } from 'kysely';
import type { AppMigration } from '../db/migrate.js';
import { auditMigrations } from './audit-migrations.js';
import { authMigrations } from './auth/migrations.js';

export const platformMigrations: AppMigration[] = [
  {
    name: '0001_platform_core',
    async up(db) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) =>
          c
            .notNull()
            .check(sql`role in ('admin','regulator','townOfficer','enterprise','lab','maintenanceUnit')`),
        )
        .addColumn('town_code', 'text')
        .addColumn('enterprise_id', 'text')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1).check(sql`active in (0,1)`))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('last_login_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('enterprise_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('request_id', 'text')
        .execute();
      await db.schema
        .createIndex('audit_log_resource')
        .on('audit_log')
        .columns(['resource_type', 'resource_id', 'at'])
        .execute();
      await db.schema
        .createIndex('audit_log_enterprise')
        .on('audit_log')
        .columns(['enterprise_id', 'at'])
        .execute();

      await db.schema
        .createTable('outbox_events')
        .addColumn('id', 'text', (c) => c.primaryKey()) // UUIDv7: text order is emission order
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('enterprise_id', 'text')
        .addColumn('aggregate_id', 'text')
        .addColumn('producer', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('outbox_events_enterprise')
        .on('outbox_events')
        .columns(['enterprise_id', 'occurred_at'])
        .execute();

      await db.schema
        .createTable('event_deliveries')
        .addColumn('event_id', 'text', (c) => c.notNull().references('outbox_events.id'))
        .addColumn('handler', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_deliveries_pk', ['event_id', 'handler'])
        .execute();

      await db.schema
        .createTable('job_runs')
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('period_key', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('running','succeeded','failed')`),
        )
        .addColumn('detail', 'text')
        .addPrimaryKeyConstraint('job_runs_pk', ['job', 'period_key'])
        .execute();
    },
  },
  ...authMigrations,
  ...auditMigrations,
];
