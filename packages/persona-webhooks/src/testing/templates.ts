// The generated sample templates (one body per event name and API version), parsed on first use.
import type { ApiVersion } from '../events/api-versions.js';
import { TEMPLATES_JSON as V20230105 } from './generated/templates-v2023-01-05.js';
import { TEMPLATES_JSON as V20251208 } from './generated/templates-v2025-12-08.js';

/** @internal One event's starting body: Persona's official example, or an instance of the event's schema. */
export interface SampleTemplate {
  readonly source: 'example' | 'schema';
  /** Whether the event's payload may carry `included` at all (`graph-query.*` events never do). */
  readonly included: boolean;
  /** A kebab-case envelope, as in the spec. */
  readonly body: {
    readonly data: {
      readonly type: 'event';
      readonly id: string;
      readonly attributes: {
        readonly name: string;
        readonly payload: { readonly data: Record<string, unknown>; readonly included?: readonly unknown[] };
        readonly 'created-at': string;
        readonly context?: Record<string, unknown>;
      };
    };
  };
}

/** @internal Templates of one API version, by event name. */
export type SampleTemplates = Readonly<Record<string, SampleTemplate>>;

const sources: Record<ApiVersion, string> = { '2025-12-08': V20251208, '2023-01-05': V20230105 };
const parsed = new Map<ApiVersion, SampleTemplates>();

/** @internal The templates of `apiVersion`. */
export function sampleTemplates(apiVersion: ApiVersion): SampleTemplates {
  let templates = parsed.get(apiVersion);
  if (templates === undefined) {
    templates = JSON.parse(sources[apiVersion]) as SampleTemplates;
    parsed.set(apiVersion, templates);
  }
  return templates;
}
