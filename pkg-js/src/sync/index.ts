// @ts-self-types="./index.d.ts"
export { PromoSync } from "./client.js";
export type {
  BundleSource,
  PromoSyncOptions,
  RefreshOutcome,
  SyncErrorCode,
  SyncErrorDetail,
  SyncEventMap,
  SyncStaleDetail,
  SyncUpdateDetail,
} from "./client.js";
export { RedemptionOutbox } from "./outbox.js";
export type {
  ChildRedemption,
  EarnedPointsCredit,
  EnqueueOptions,
  Enqueued,
  FlushReport,
  OnDifference,
  OutboxEventMap,
  OutboxItem,
  OutboxRetryDetail,
  OutboxSettledDetail,
  RedeemedOrder,
  RedeemedVoucher,
  RedemptionAnswer,
  RedemptionBody,
  RedemptionDifference,
  RedemptionDifferenceCause,
  RedemptionDifferenceReason,
  RedemptionOutboxOptions,
  RedemptionRejection,
  RedemptionSettlement,
} from "./outbox.js";
export { CacheStore, IndexedDBStore, MemoryStore, defaultStore, fromKeyValue } from "./store.js";
export type { KeyValueLike, SyncStore } from "./store.js";
export { SyncEvent, TypedEventTarget, backoffDelay, realTimers } from "./shared.js";
export type { BackoffOptions, Timers } from "./shared.js";
