import { sql } from 'kysely';
import type { AppMigration } from '../../db/migrate.js';

export const ENTERPRISE_STATUSES = ['operating', 'suspended', 'cancelled', 'revoked'] as const;
export const ENTERPRISE_SCALES = ['large', 'medium', 'small', 'micro'] as const;
export const PROFILE_KINDS = [
  'lab',
  'maintenanceUnit',
  'metrologyAgency',
  'vehicleInspectionStation',
  'instrumentManufacturer',
] as const;

const inList = (col: string, values: readonly string[]) =>
  sql.raw(`${col} in (${values.map((v) => `'${v}'`).join(',')})`);

export const registryMigrations: AppMigration[] = [
  {
    name: '0100_registry_reference',
    async up(db) {
      await db.schema
        .createTable('towns')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('subdistrict','town','area')`))
        .addColumn('sort', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('industries')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('section','division')`))
        .addColumn('section', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text')
        .execute();
      await db.schema
        .createTable('product_categories')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text')
        .addColumn('industry_code', 'text', (c) => c.references('industries.code'))
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1).check(sql`active in (0,1)`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '0101_registry_enterprises',
    async up(db) {
      await db.schema
        .createTable('enterprises')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('uscc', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('legal_representative', 'text')
        .addColumn('registered_address', 'text')
        .addColumn('town_code', 'text', (c) => c.notNull().references('towns.code'))
        .addColumn('industry_code', 'text', (c) => c.references('industries.code'))
        .addColumn('registered_on', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(inList('status', ENTERPRISE_STATUSES)))
        .addColumn('scale', 'text', (c) => c.check(inList('scale', ENTERPRISE_SCALES)))
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      // Keyset pagination walks (name, id); filters narrow by town, industry, status first.
      await db.schema.createIndex('enterprises_name').on('enterprises').columns(['name', 'id']).execute();
      await db.schema
        .createIndex('enterprises_town')
        .on('enterprises')
        .columns(['town_code', 'name', 'id'])
        .execute();
      await db.schema
        .createIndex('enterprises_industry')
        .on('enterprises')
        .columns(['industry_code', 'name', 'id'])
        .execute();
      await db.schema
        .createIndex('enterprises_status')
        .on('enterprises')
        .columns(['status', 'name', 'id'])
        .execute();

      await db.schema
        .createTable('enterprise_tags')
        .addColumn('enterprise_id', 'text', (c) =>
          c.notNull().references('enterprises.id').onDelete('cascade'),
        )
        .addColumn('tag', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('enterprise_tags_pk', ['enterprise_id', 'tag'])
        .execute();
      await db.schema
        .createIndex('enterprise_tags_tag')
        .on('enterprise_tags')
        .columns(['tag', 'enterprise_id'])
        .execute();

      await db.schema
        .createTable('enterprise_profiles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) =>
          c.notNull().references('enterprises.id').onDelete('cascade'),
        )
        .addColumn('kind', 'text', (c) => c.notNull().check(inList('kind', PROFILE_KINDS)))
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('since', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('enterprise_profiles_kind', ['enterprise_id', 'kind'])
        .execute();

      await db.schema
        .createTable('enterprise_contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'text', (c) =>
          c.notNull().references('enterprises.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('resident_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('enterprise_contacts_enterprise')
        .on('enterprise_contacts')
        .column('enterprise_id')
        .execute();
    },
  },
  {
    name: '0102_registry_name_search',
    // Substring search on names: a trigram index on PostgreSQL (pg_trgm, a trusted extension since
    // PostgreSQL 13). Installed into public so that schemas dropped later never take it along.
    // Where the extension cannot be created the search falls back to a sequential scan.
    async up(db, dialect) {
      if (dialect !== 'postgres') return;
      await sql`DO $$ BEGIN
          CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
        EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm unavailable: %', SQLERRM;
        END $$`.execute(db);
      await sql`DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
            CREATE INDEX enterprises_name_trgm ON enterprises USING gin (name public.gin_trgm_ops);
          END IF;
        END $$`.execute(db);
    },
  },
  {
    name: '0240_registry_enterprise_products',
    // What an enterprise makes (企业生产的产品类别): the sampling draw's pool is "the makers of a
    // category", read from the category side; the primary key serves an enterprise's own list.
    // On SQLite the primary key is the table (without rowid): the links are written in bulk by the
    // seed and the import, and nothing but the two keys is ever read.
    async up(db, dialect) {
      const table = db.schema
        .createTable('enterprise_products')
        .addColumn('enterprise_id', 'text', (c) =>
          c.notNull().references('enterprises.id').onDelete('cascade'),
        )
        .addColumn('category_code', 'text', (c) => c.notNull().references('product_categories.code'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('enterprise_products_pk', ['enterprise_id', 'category_code']);
      await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();
      await db.schema
        .createIndex('enterprise_products_category')
        .on('enterprise_products')
        .columns(['category_code', 'enterprise_id'])
        .execute();
    },
  },
];
