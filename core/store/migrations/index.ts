/** Every schema migration, in order. Append only; the migration test upgrades from each version. */
import { migration001 } from './001_initial';
import { migration002 } from './002_decision_unsure_notes';
import { migration003 } from './003_media_metadata';
import { migration004 } from './004_sighting_thumbnail_frame';
import { migration005 } from './005_index_warnings';
import { migration006 } from './006_search_evidence';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
