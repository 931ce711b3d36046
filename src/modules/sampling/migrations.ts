// Tables of the sampling module (监督抽查): plans (versioned; a published plan is never edited), the
// inspector register, referrals that add an enterprise to a draw, draws (seed, pool snapshot, strata,
// exclusions — enough to recompute them), tasks, samples, item results (original and re-test),
// files (photos, reports) and post-processing cases. Item results are the big table (about five
// per sample); statistics read samples only.
import { sql } from 'kysely';
import type { AppMigration } from '../../db/migrate.js';

export const samplingMigrations: AppMigration[] = [
  {
    name: '0300_sampling',
    async up(db, dialect) {
      const blob = dialect === 'postgres' ? 'bytea' : 'blob';
      await db.schema
        .createTable('sampling_plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('supersedes_id', 'text', (c) => c.references('sampling_plans.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) =>
          c.notNull().check(sql`kind in ('routine','special','followUp','emergency')`),
        )
        .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('city','provincial','national')`))
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql`state in ('draft','published','superseded')`),
        )
        .addColumn('body', 'text', (c) => c.notNull()) // JSON PlanBody
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('published_by', 'text')
        .addUniqueConstraint('sampling_plans_code_version', ['code', 'version'])
        .execute();
      await db.schema
        .createIndex('sampling_plans_year')
        .on('sampling_plans')
        .columns(['year', 'state'])
        .execute();

      await db.schema
        .createTable('sampling_inspectors')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('town_code', 'text')
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('conflicts', 'text', (c) => c.notNull()) // JSON [{enterpriseId, reason}]
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sampling_referrals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('category_code', 'text')
        .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('complaint','referral')`))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('draw_id', 'text') // the draw that used it; null while open
        .execute();
      await db.schema
        .createIndex('sampling_referrals_open')
        .on('sampling_referrals')
        .column('draw_id')
        .execute();

      await db.schema
        .createTable('sampling_draws')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plan_id', 'text', (c) => c.notNull().unique().references('sampling_plans.id'))
        .addColumn('seed', 'integer', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('rule_set_id', 'text', (c) => c.notNull())
        .addColumn('rule_set_version', 'integer', (c) => c.notNull())
        .addColumn('pool', 'text', (c) => c.notNull()) // JSON DrawRecord.pool (compact rows)
        .addColumn('record', 'text', (c) => c.notNull()) // JSON: strata, exclusions, items, inspectors
        .addColumn('drawn_at', 'text', (c) => c.notNull())
        .addColumn('drawn_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sampling_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_no', 'text', (c) => c.notNull().unique())
        .addColumn('plan_id', 'text', (c) => c.notNull().references('sampling_plans.id'))
        .addColumn('draw_id', 'text', (c) => c.references('sampling_draws.id'))
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('category_code', 'text', (c) => c.notNull())
        .addColumn('town_code', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull()) // why drawn: grade stratum, complaint, referral, listed
        .addColumn('inspectors', 'text', (c) => c.notNull()) // JSON [userId, userId, …] (≥ 2)
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql`state in ('assigned','sampled','refused','sentToLab','tested','cancelled')`),
        )
        .addColumn('refusal', 'text') // JSON {on, note, witnesses} when refused
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sampling_tasks_plan')
        .on('sampling_tasks')
        .columns(['plan_id', 'state'])
        .execute();
      await db.schema
        .createIndex('sampling_tasks_enterprise')
        .on('sampling_tasks')
        .columns(['enterprise_id', 'year', 'category_code'])
        .execute();

      await db.schema
        .createTable('sampling_samples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sample_no', 'text', (c) => c.notNull().unique())
        .addColumn('task_id', 'text', (c) => c.notNull().unique().references('sampling_tasks.id'))
        .addColumn('plan_id', 'text', (c) => c.notNull().references('sampling_plans.id'))
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('category_code', 'text', (c) => c.notNull())
        .addColumn('town_code', 'text', (c) => c.notNull())
        .addColumn('industry_code', 'text')
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('product_name', 'text', (c) => c.notNull())
        .addColumn('trademark', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('standard_code', 'text', (c) => c.notNull())
        .addColumn('batch', 'text', (c) => c.notNull())
        .addColumn('production_date', 'text')
        .addColumn('test_units', 'integer', (c) => c.notNull())
        .addColumn('backup_units', 'integer', (c) => c.notNull())
        .addColumn('place', 'text', (c) => c.notNull().check(sql`place in ('factory','market')`))
        .addColumn('sampled_on', 'text', (c) => c.notNull())
        .addColumn('grade_when_drawn', 'text') // A–D: the credit grade the draw saw
        .addColumn('details', 'text', (c) => c.notNull()) // JSON: seals, confirmation (personal: never public)
        .addColumn('lab_enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('sentToLab','reported','final')`))
        .addColumn('verdict', 'text', (c) => c.check(sql`verdict in ('pass','fail')`))
        .addColumn('severity', 'text', (c) => c.check(sql`severity in ('minor','major','critical')`))
        .addColumn('reported_on', 'text')
        .addColumn('failed_event_id', 'text') // the sampling.sample.failed event, to reverse it
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The 6-month rule: the same product (producer, standard, trademark, model) by date.
      await db.schema
        .createIndex('sampling_samples_product')
        .on('sampling_samples')
        .columns(['enterprise_id', 'standard_code', 'trademark', 'model', 'sampled_on'])
        .execute();
      // Statistics: pass rates by year × town × category (covering).
      await db.schema
        .createIndex('sampling_samples_stats')
        .on('sampling_samples')
        .columns(['year', 'town_code', 'category_code', 'verdict'])
        .execute();
      await db.schema
        .createIndex('sampling_samples_lab')
        .on('sampling_samples')
        .columns(['lab_enterprise_id', 'state'])
        .execute();

      await db.schema
        .createTable('sampling_results')
        .addColumn('sample_id', 'text', (c) => c.notNull().references('sampling_samples.id'))
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('round', 'text', (c) => c.notNull().check(sql`round in ('original','retest')`))
        .addColumn('measured', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('pass','fail')`))
        .addColumn('item_class', 'text', (c) =>
          c.notNull().check(sql`item_class in ('minor','major','critical')`),
        )
        .addColumn('lab_enterprise_id', 'text', (c) => c.notNull())
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .addColumn('entered_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sampling_results_pk', ['sample_id', 'round', 'item_key'])
        .execute();

      await db.schema
        .createTable('sampling_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('sampling_tasks.id'))
        .addColumn('kind', 'text', (c) =>
          c.notNull().check(sql`kind in ('photo','report','retestReport','refusal','notice')`),
        )
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', blob, (c) => c.notNull())
        .addColumn('uploaded_at', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sampling_files_task')
        .on('sampling_files')
        .columns(['task_id', 'kind'])
        .execute();

      await db.schema
        .createTable('sampling_cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sample_id', 'text', (c) => c.notNull().unique().references('sampling_samples.id'))
        .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
        .addColumn('town_code', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text') // the next due date of the current step; null when closed
        .addColumn('body', 'text', (c) => c.notNull()) // JSON Case (postprocess.ts)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sampling_cases_due')
        .on('sampling_cases')
        .columns(['due_on', 'state'])
        .execute();
      await db.schema
        .createIndex('sampling_cases_enterprise')
        .on('sampling_cases')
        .column('enterprise_id')
        .execute();
    },
  },
  {
    // Statistics by industry and by the grade the draw saw (statistics.ts): covering, like
    // sampling_samples_stats, so these views never read the table either (town and category last,
    // for a town officer's or a category's figures).
    name: '0310_sampling_stats_profile',
    async up(db) {
      await db.schema
        .createIndex('sampling_samples_profile')
        .on('sampling_samples')
        .columns(['year', 'industry_code', 'grade_when_drawn', 'verdict', 'town_code', 'category_code'])
        .execute();
    },
  },
  {
    // The draw's six-month look-back (draw-store.ts): the samples of a date range, in date order,
    // with what the exclusion names, read from the index alone — at city scale the stats index's
    // skip-scan over every year and town took half a second of each draw.
    name: '0320_sampling_recent',
    async up(db) {
      await db.schema
        .createIndex('sampling_samples_recent')
        .on('sampling_samples')
        .columns(['sampled_on', 'category_code', 'plan_id', 'enterprise_id', 'sample_no'])
        .execute();
    },
  },
];
