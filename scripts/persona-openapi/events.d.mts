// Types of events.mjs, for the tests that import it.
export declare const API_VERSIONS: readonly ['2025-12-08', '2023-01-05'];
export declare function escapePointer(part: string): string;
export declare function resolveRef(doc: object, ref: string): unknown;
export declare function exampleBodies(doc: object, name: string): { label: string; key: string; body: unknown }[];
export declare function eventSchema(doc: object, name: string, base?: string): object;
export declare function schemaInstance(doc: object, schema: object): unknown;
export declare function payloadAllowsIncluded(doc: object, name: string): boolean;
export declare function templateBody(
  doc: object,
  name: string,
): { source: 'example' | 'schema'; included: boolean; body: unknown };
