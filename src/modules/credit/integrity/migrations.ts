// The key id of each credit record's HMAC. Records written before this migration keep `kid` null:
// they were hashed without a key and are believed only as far as the first signed checkpoint
// covers them (docs/SECURITY.md, "Upgrading an existing archive").
import type { AppMigration } from '../../../db/migrate.js';

export const integrityMigrations: AppMigration[] = [
  {
    name: '0220_credit_record_keys',
    async up(db) {
      await db.schema.alterTable('credit_records').addColumn('kid', 'text').execute();
    },
  },
];
