// persona-webhooks/testing: sample events and signed requests for tests and tooling (re-exports only).
export { inflectKey, inflectKeys } from './inflect.js';
export {
  createSampleEvent,
  type InflectedSampleEventEnvelope,
  type SampleEventEnvelope,
  type SampleEventOptions,
} from './sample-event.js';
export {
  createSignedDelivery,
  createSignedRequest,
  type SignedDelivery,
  type SignedDeliveryContent,
  type SignedDeliveryOptions,
  type SignedRequestOptions,
} from './signed-request.js';
export {
  type DeliveryRecord,
  type DeliverySwitches,
  PERSONA_DELIVERY_TIMEOUT_MS,
  PERSONA_RETRY_SCHEDULE_SECONDS,
} from './simulator/delivery.js';
export type { SimulatedEvent } from './simulator/event-log.js';
export type { RateWindow } from './simulator/rate-limiter.js';
export {
  createPersonaSimulator,
  type EmitOptions,
  type PersonaSimulator,
  type PersonaSimulatorOptions,
  SIMULATOR_NOTICE,
  type SimulatorFaults,
  type SimulatorStats,
} from './simulator/simulator.js';
export type { SimulatedSecret, SimulatedWebhook, SimulatedWebhookInput } from './simulator/webhook-model.js';
