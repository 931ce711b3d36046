// Tables of the quality-credit module. Credit records are append-only and hash-chained per
// enterprise; grades are derived (recomputable) but their history is what was shown on each day.
import { type RawBuilder, sql } from 'kysely';
import type { AppMigration } from '../../db/migrate.js';

export const creditMigrations: AppMigration[] = [
  {
    name: '0200_credit',
    async up(db, dialect) {
      // Tables written in bulk by the regrade: on SQLite the primary key is the table (one b-tree
      // per row written instead of two); PostgreSQL has no such option and needs none.
      const clustered = <T extends { modifyEnd: (s: RawBuilder<unknown>) => T }>(b: T) =>
        dialect === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b;
      await db.schema
        .createTable('credit_rule_sets')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft','published')`))
        .addColumn('effective_from', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('published_by', 'text')
        .addPrimaryKeyConstraint('credit_rule_sets_pk', ['id', 'version'])
        .execute();

      await db.schema
        .createTable('credit_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('event','manual','reversal')`))
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('source_event_id', 'text', (c) => c.unique())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rule_set_id', 'text', (c) => c.notNull())
        .addColumn('rule_set_version', 'integer', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addColumn('occurred_on', 'text', (c) => c.notNull())
        .addColumn('effective_on', 'text', (c) => c.notNull())
        .addColumn('expires_on', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('publishable', 'integer', (c) => c.notNull())
        .addColumn('reverses_id', 'text', (c) => c.references('credit_records.id'))
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addUniqueConstraint('credit_records_chain', ['enterprise_id', 'seq'])
        .execute();
      // Reversals are few: a partial index finds them, and keeps the planner off it for the rest.
      await db.schema
        .createIndex('credit_records_reverses')
        .on('credit_records')
        .column('reverses_id')
        .where(sql.ref('reverses_id'), 'is not', null)
        .execute();
      // The regrade and the sandbox read only this (covering, in enterprise order, originals only).
      await db.schema
        .createIndex('credit_records_counting')
        .on('credit_records')
        .columns(['enterprise_id', 'expires_on', 'effective_on', 'points', 'rule_id'])
        .where(sql.ref('reverses_id'), 'is', null)
        .execute();
      await db.schema
        .createIndex('credit_records_expires')
        .on('credit_records')
        .column('expires_on')
        .execute();
      await db.schema
        .createIndex('credit_records_published')
        .on('credit_records')
        .columns(['publishable', 'recorded_at'])
        .execute();

      // The last link of each enterprise's chain: detects a truncated tail and serialises appends.
      await db.schema
        .createTable('credit_chain_heads')
        .addColumn('enterprise_id', 'text', (c) => c.primaryKey().references('enterprises.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('credit_grades')
        .addColumn('enterprise_id', 'text', (c) => c.primaryKey().references('enterprises.id'))
        .addColumn('grade', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('raw_score', 'integer', (c) => c.notNull())
        .addColumn('rule_set_id', 'text', (c) => c.notNull())
        .addColumn('rule_set_version', 'integer', (c) => c.notNull())
        .addColumn('veto_id', 'text')
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .$call(clustered)
        .execute();

      // Every change of grade or score, in order; "the grade on a day" is the last one recorded on it.
      await db.schema
        .createTable('credit_grade_history')
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('grade', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('rule_set_id', 'text', (c) => c.notNull())
        .addColumn('rule_set_version', 'integer', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_grade_history_pk', ['enterprise_id', 'valid_from', 'id'])
        .$call(clustered)
        .execute();

      await db.schema
        .createTable('credit_evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.references('enterprises.id'))
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('uploaded_by_enterprise', 'text')
        .addColumn('uploaded_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('credit_blacklist')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('portal_visible', 'integer', (c) => c.notNull())
        .addColumn('listed_record_id', 'text', (c) => c.references('credit_records.id'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('credit_blacklist_enterprise')
        .on('credit_blacklist')
        .column('enterprise_id')
        .execute();
      await db.schema.createIndex('credit_blacklist_state').on('credit_blacklist').column('state').execute();

      await db.schema
        .createTable('credit_objections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('record_id', 'text', (c) => c.notNull().references('credit_records.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('reversal_id', 'text', (c) => c.references('credit_records.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('credit_objections_record')
        .on('credit_objections')
        .column('record_id')
        .execute();
      await db.schema
        .createIndex('credit_objections_state')
        .on('credit_objections')
        .column('state')
        .execute();
      await db.schema
        .createIndex('credit_objections_enterprise')
        .on('credit_objections')
        .column('enterprise_id')
        .execute();

      await db.schema
        .createTable('credit_replies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record_id', 'text', (c) => c.notNull().references('credit_records.id'))
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('posted_on', 'text', (c) => c.notNull())
        .addColumn('replaced_on', 'text')
        .addColumn('posted_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credit_replies_record').on('credit_replies').column('record_id').execute();

      // Issued credit reports: the QR code on the PDF opens the portal's check of this row.
      await db.schema
        .createTable('credit_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('grade', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    // Evidence knows when it was attached (unattached uploads are purged after a day; rows from
    // before count as attached), and a report keeps its PDF and the archive state it was drawn
    // from, so the same state is served again instead of rendered again.
    name: '0230_credit_evidence_reports',
    async up(db, dialect) {
      await db.schema.alterTable('credit_evidence').addColumn('attached_at', 'text').execute();
      await db.updateTable('credit_evidence').set({ attached_at: sql`uploaded_at` }).execute();
      await db.schema
        .createIndex('credit_evidence_unattached')
        .on('credit_evidence')
        .column('uploaded_at')
        .where(sql.ref('attached_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('credit_evidence_enterprise')
        .on('credit_evidence')
        .columns(['uploaded_by_enterprise', 'uploaded_at'])
        .execute();
      await db.schema.alterTable('credit_reports').addColumn('archive_state', 'text').execute();
      await db.schema
        .alterTable('credit_reports')
        .addColumn('pdf', dialect === 'postgres' ? 'bytea' : 'blob')
        .execute();
      await db.schema
        .createIndex('credit_reports_state')
        .on('credit_reports')
        .columns(['enterprise_id', 'archive_state'])
        .execute();
    },
  },
  {
    // The outcome of every final supervisory sample (passed or failed), one row per source event,
    // so that "N years without a failed sample" is decided from what sampling found (the daily
    // clean-record job) rather than typed in. A failure that no longer stands (overturned by a
    // re-test, or its credit record reversed) keeps its row, marked by what cancelled it.
    name: '0250_credit_sample_outcomes',
    async up(db) {
      await db.schema
        .createTable('credit_sample_outcomes')
        .addColumn('source_event_id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('sampled_on', 'text', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull().check(sql`failed in (0, 1)`))
        .addColumn('sample_no', 'text')
        .addColumn('reversed_by', 'text')
        .addColumn('reversed_on', 'text')
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      // The clean-record job groups by enterprise over the last ten years; one enterprise's
      // outcomes are read in date order.
      await db.schema
        .createIndex('credit_sample_outcomes_enterprise')
        .on('credit_sample_outcomes')
        .columns(['enterprise_id', 'sampled_on'])
        .execute();
    },
  },
];
