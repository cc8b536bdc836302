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
