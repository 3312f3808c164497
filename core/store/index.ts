/** The case store's public surface. */
export * from './store';
export * from './audit';
export * from './cases';
export * from './evidence';
export * from './indexes';
export * from './searches';
export * from './decisions';
export * from './notes';
export * from './exports';
export { hashFile } from './hashFile';
export { migrate, currentSchemaVersion } from './migrate';
export { LATEST_SCHEMA_VERSION } from './migrations/index';
