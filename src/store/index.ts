export { Store, type StoreOptions, type StoreStats, type HousekeepingResult, type InsertResult, type KeyValueState } from './store.js';
export type { OutboxRow, OutboxDepth, OutboxSource } from './outbox-types.js';
export { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
