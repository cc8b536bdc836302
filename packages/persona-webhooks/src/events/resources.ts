/** A JSON:API resource object as Persona sends it. */
export interface PersonaResource<T extends string = string, A = Readonly<Record<string, unknown>>> {
  readonly type: T;
  readonly id: string;
  readonly attributes: A;
  readonly relationships?: Readonly<Record<string, unknown>>;
}

/** The `payload` of an event: the resource and its related objects. */
export interface EventPayload<_N extends string = string> {
  readonly data: PersonaResource;
  readonly included: readonly PersonaResource[];
}
