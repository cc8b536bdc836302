// The processing core: the receiver (verify → store → ack), the handler registry and the worker.
export { type BackoffOptions, type BackoffSchedule, DEFAULT_BACKOFF } from './backoff.js';
export { PROCESSING_DEFAULTS } from './defaults.js';
export {
  createDispatcher,
  createHandlers,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchOptions,
  type DispatchResult,
  type ErrorListener,
  type EventHandler,
  type HandlerContext,
  type HandlerErrorInfo,
  type HandlerOptions,
  type Handlers,
  type HandlersOptions,
  type RegisteredHandler,
  scrubMessage,
} from './handlers.js';
export {
  createWebhookReceiver,
  type ReceiveInfo,
  type ReceiveMode,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './receive.js';
export type { RunStatus } from './run-event.js';
export type { ReceiveInput, ReceiveOutcome, ReceiveResult, ReceiverLike } from './types.js';
export {
  createWorker,
  type StopOptions,
  type StopResult,
  type Worker,
  type WorkerEventInfo,
  type WorkerOptions,
} from './worker.js';
