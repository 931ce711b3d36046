// Sign-in tables added after the platform core (migration range 0210–0219).
import { sql } from 'kysely';
import type { AppMigration } from '../../db/migrate.js';

export const authMigrations: AppMigration[] = [
  {
    name: '0210_auth_throttle',
    async up(db) {
      // The sign-in back-off (throttle.ts): one row per (username as typed, source address), and
      // one per username with source '*' for the account across all addresses. Usernames that
      // belong to nobody get rows too, so they are throttled exactly like real ones.
      await db.schema
        .createTable('login_throttle')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked_until', 'text')
        .addColumn('last_failure_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('login_throttle_pk', ['username', 'source'])
        .execute();
      await db.schema
        .createIndex('login_throttle_last_failure')
        .on('login_throttle')
        .column('last_failure_at')
        .execute();
      // Set when the account's password is published or common and this is not a demo: the user
      // must choose a new password before anything else.
      await db.schema
        .alterTable('users')
        .addColumn('must_change_password', 'integer', (c) =>
          c.notNull().defaultTo(0).check(sql`must_change_password in (0,1)`),
        )
        .execute();
    },
  },
];
