/**
 * A small DSL that describes a representation type once; rendering, body decoding and the OpenAPI
 * schemas are all derived from it.
 *
 * Field flags:
 *  - default: required in create bodies, always present in responses;
 *  - `optional`: may be left out of create bodies and responses;
 *  - `readOnly`: set by the server; rendered, ignored in request bodies;
 *  - `writeOnly`: a secret; accepted in bodies, never rendered and never echoed in error messages.
 */

import { OVIRT_ACTION_FIELDS } from '../../ovirt-model/ovirt-fields';

export interface Flags {
  readonly optional: boolean;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
}

export interface Modifiers {
  readonly optional?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  readonly description?: string;
  /**
   * With `optional`: responses may lack the field, but the service refuses a create body without it (with
   * its own message), so the OpenAPI create schema lists it as required. The decoder does not check it.
   */
  readonly requiredInCreate?: boolean;
}

type NoOptions = Record<never, never>;

/** The literal flags of a modifiers object, so that view and input types can follow them. */
export type FlagsOf<M> = {
  readonly optional: M extends { readonly optional: true } ? true : false;
  readonly readOnly: M extends { readonly readOnly: true } ? true : false;
  readonly writeOnly: M extends { readonly writeOnly: true } ? true : false;
};

interface FieldBase<F extends Flags> {
  readonly optional: F['optional'];
  readonly readOnly: F['readOnly'];
  readonly writeOnly: F['writeOnly'];
  readonly description?: string;
  readonly requiredInCreate?: boolean;
}

export interface StringField<F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** Human wording of the pattern, used as "must be <patternDescription>". */
  readonly patternDescription?: string;
  /** Exact (case-sensitive) allowed values. Use enumOf() for oVirt enums. */
  readonly values?: readonly string[];
}

export interface IntegerField<F extends Flags = Flags, K extends 'int' | 'long' = 'int' | 'long'> extends FieldBase<F> {
  /** `int` is int32, `long` is int64 (limited to JavaScript's safe integers when decoding). */
  readonly kind: K;
  readonly min: number;
  readonly max: number;
}

export interface BooleanField<F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'bool';
}

export interface DateField<F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'date';
}

export interface EnumField<V extends string = string, F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'enum';
  readonly values: readonly V[];
}

/** A reference to another resource: `{id, href}` on output; `{id}` or `{name}` on input. */
export interface RefField<F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'ref';
  readonly type: string;
  /** The service takes this reference by id only (it refuses a name with its own message). */
  readonly byId?: boolean;
}

/** A nested object without identity (no id/href). Also used for root objects such as fault and action. */
export interface ObjectField<FS extends Fields = Fields, F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'object';
  readonly type: string;
  readonly fields: FS;
  /** Field names in rendering order. */
  readonly order: readonly string[];
  /** Names accepted in bodies and dropped unread (fields of oVirt's model that mean nothing here). */
  readonly ignored?: readonly string[];
}

export interface ListField<I extends ListItem = ListItem, F extends Flags = Flags> extends FieldBase<F> {
  readonly kind: 'list';
  /** Element name of each item; the wrapper element is the field's own name. */
  readonly itemName: string;
  readonly item: I;
  readonly maxItems: number;
}

export interface ResourceSchema<FS extends Fields = Fields> {
  readonly kind: 'resource';
  /** snake_case singular, the XML element name and the JSON collection key. */
  readonly type: string;
  /** snake_case plural, the XML collection element name. */
  readonly plural: string;
  readonly fields: FS;
  readonly order: readonly string[];
  /** rels of sub-collection links, rendered as `<link rel href="{href}/{rel}"/>`. */
  readonly links: readonly string[];
  /** Action names, rendered as `<actions><link rel href="{href}/{name}"/></actions>`. */
  readonly actions: readonly string[];
  readonly description?: string;
  /** Names accepted in bodies and dropped unread (fields of oVirt's model that mean nothing here). */
  readonly ignored?: readonly string[];
}

export type Field =
  StringField | IntegerField | BooleanField | DateField | EnumField | RefField | ObjectField | ListField;
export type ListItem = Field | ResourceSchema;
export type Fields = { readonly [name: string]: Field };

/** Anything that can be the root of a body or a response: a resource, or an object such as action and fault. */
export type RootSchema = ResourceSchema | ObjectField;

const NAME = /^[a-z][a-z0-9_]*$/;
/** Names with a fixed meaning on the wire; no field may use them. */
const RESERVED = new Set(['id', 'href', 'link', 'actions']);
/** oVirt prints these first (after actions). */
const LEADING = ['name', 'description', 'comment'];

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const DEFAULT_MAX_ITEMS = 1000;

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) {
    throw new Error(`${what} "${name}" must be snake_case ([a-z][a-z0-9_]*)`);
  }
}

function flags<M extends Modifiers>(m: M | undefined): FieldBase<FlagsOf<M>> {
  const base = {
    optional: m?.optional === true,
    readOnly: m?.readOnly === true,
    writeOnly: m?.writeOnly === true,
    ...(m?.description !== undefined ? { description: m.description } : {}),
    ...(m?.requiredInCreate === true ? { requiredInCreate: true } : {}),
  };
  if (base.readOnly && base.writeOnly) {
    throw new Error('a field cannot be both readOnly and writeOnly');
  }
  return base as FieldBase<FlagsOf<M>>;
}

function fieldOrder(fields: Fields): string[] {
  const names = Object.keys(fields);
  for (const name of names) {
    checkName('field name', name);
    if (RESERVED.has(name)) {
      throw new Error(`field name "${name}" is reserved`);
    }
  }
  const leading = LEADING.filter((n) => names.includes(n));
  return [...leading, ...names.filter((n) => !LEADING.includes(n))];
}

export interface StringOptions extends Modifiers {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly patternDescription?: string;
  readonly values?: readonly string[];
}

export function str<const M extends StringOptions = NoOptions>(options?: M): StringField<FlagsOf<M>> {
  const pattern = options?.pattern;
  if (pattern && pattern.flags.replace('u', '') !== '') {
    // g/y make RegExp.test stateful; i/m/s cannot be expressed in an OpenAPI pattern.
    throw new Error(`pattern ${pattern} may only use the u flag`);
  }
  return Object.freeze({
    kind: 'string',
    ...flags(options),
    ...(options?.minLength !== undefined ? { minLength: options.minLength } : {}),
    ...(options?.maxLength !== undefined ? { maxLength: options.maxLength } : {}),
    ...(pattern ? { pattern } : {}),
    ...(options?.patternDescription !== undefined ? { patternDescription: options.patternDescription } : {}),
    ...(options?.values ? { values: [...options.values] } : {}),
  });
}

export interface IntegerOptions extends Modifiers {
  readonly min?: number;
  readonly max?: number;
}

function integer<M extends IntegerOptions, K extends 'int' | 'long'>(
  kind: K,
  lo: number,
  hi: number,
  options?: M,
): IntegerField<FlagsOf<M>, K> {
  const min = options?.min ?? lo;
  const max = options?.max ?? hi;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < lo || max > hi || min > max) {
    throw new Error(`invalid ${kind} range ${min}..${max}`);
  }
  return Object.freeze({ kind, ...flags(options), min, max });
}

/** 32-bit integer. */
export function int<const M extends IntegerOptions = NoOptions>(options?: M): IntegerField<FlagsOf<M>, 'int'> {
  return integer('int', INT32_MIN, INT32_MAX, options);
}

/** 64-bit integer (byte counts and the like). Decoded values are limited to safe integers. */
export function long<const M extends IntegerOptions = NoOptions>(options?: M): IntegerField<FlagsOf<M>, 'long'> {
  return integer('long', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, options);
}

export function bool<const M extends Modifiers = NoOptions>(options?: M): BooleanField<FlagsOf<M>> {
  return Object.freeze({ kind: 'bool', ...flags(options) });
}

export function date<const M extends Modifiers = NoOptions>(options?: M): DateField<FlagsOf<M>> {
  return Object.freeze({ kind: 'date', ...flags(options) });
}

/** An oVirt enum: lower-case values on the wire, matched case-insensitively on input. */
export function enumOf<const V extends string, const M extends Modifiers = NoOptions>(
  values: readonly V[],
  options?: M,
): EnumField<V, FlagsOf<M>> {
  if (values.length === 0) {
    throw new Error('an enum needs at least one value');
  }
  for (const v of values) {
    checkName('enum value', v);
  }
  return Object.freeze({ kind: 'enum', ...flags(options), values: [...values] });
}

export interface RefOptions extends Modifiers {
  readonly byId?: boolean;
}

export function ref<const M extends RefOptions = NoOptions>(type: string, options?: M): RefField<FlagsOf<M>> {
  checkName('type name', type);
  return Object.freeze({ kind: 'ref', ...flags(options), type, ...(options?.byId === true ? { byId: true } : {}) });
}

export interface ObjectOptions extends Modifiers {
  /** Names accepted in bodies and dropped unread; none may be a field. */
  readonly ignored?: readonly string[];
}

function ignoredNames(fields: Fields, ignored: readonly string[] | undefined): { ignored?: readonly string[] } {
  for (const name of ignored ?? []) {
    if (Object.hasOwn(fields, name)) throw new Error(`"${name}" is both a field and ignored`);
  }
  return ignored && ignored.length > 0 ? { ignored: [...ignored] } : {};
}

export function obj<const FS extends Fields, const M extends ObjectOptions = NoOptions>(
  type: string,
  fields: FS,
  options?: M,
): ObjectField<FS, FlagsOf<M>> {
  checkName('type name', type);
  return Object.freeze({
    kind: 'object',
    ...flags(options),
    type,
    fields,
    order: fieldOrder(fields),
    ...ignoredNames(fields, options?.ignored),
  });
}

export interface ListOptions extends Modifiers {
  readonly maxItems?: number;
}

/** A list: `<options><option>…</option></options>` in XML, `{"option": […]}` in JSON. */
export function list<const I extends ListItem, const M extends ListOptions = NoOptions>(
  itemName: string,
  item: I,
  options?: M,
): ListField<I, FlagsOf<M>> {
  checkName('list item name', itemName);
  return Object.freeze({
    kind: 'list',
    ...flags(options),
    itemName,
    item,
    maxItems: options?.maxItems ?? DEFAULT_MAX_ITEMS,
  });
}

export interface ResourceOptions<L extends string, A extends string> {
  readonly links?: readonly L[];
  readonly actions?: readonly A[];
  readonly description?: string;
  /** Names accepted in bodies and dropped unread; none may be a field. */
  readonly ignored?: readonly string[];
}

export function resource<const FS extends Fields, const L extends string = never, const A extends string = never>(
  type: string,
  plural: string,
  fields: FS,
  options?: ResourceOptions<L, A>,
): ResourceSchema<FS> {
  checkName('type name', type);
  checkName('plural name', plural);
  for (const rel of [...(options?.links ?? []), ...(options?.actions ?? [])]) {
    if (!/^[a-z][a-z0-9_-]*$/.test(rel)) {
      throw new Error(`link or action name "${rel}" must be lower case`);
    }
  }
  return Object.freeze({
    kind: 'resource',
    type,
    plural,
    fields,
    order: fieldOrder(fields),
    links: [...(options?.links ?? [])],
    actions: [...(options?.actions ?? [])],
    ...(options?.description !== undefined ? { description: options.description } : {}),
    ...ignoredNames(fields, options?.ignored),
  });
}

// ---- the action envelope and the fault --------------------------------------------------------

export const ACTION_STATUSES = ['pending', 'in_progress', 'complete', 'failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const FaultSchema = obj('fault', {
  reason: str(),
  detail: str({ optional: true }),
});

const actionEnvelope = {
  status: enumOf(ACTION_STATUSES, { readOnly: true }),
  fault: obj('fault', FaultSchema.fields, { readOnly: true, optional: true }),
  job: ref('job', { readOnly: true, optional: true }),
  async: bool({ optional: true, description: 'answer 202 at once instead of waiting for the job' }),
} as const;

export type ActionFields<P extends Fields> = typeof actionEnvelope & P;
export type ActionSchema<P extends Fields = Fields> = ObjectField<ActionFields<P>, FlagsOf<NoOptions>>;

/**
 * The `<action>` envelope of one action: the action's parameters plus `status`, `fault` and `job`
 * (read-only: set by the server in the response, ignored in the request) and `async`.
 */
export function actionSchema<const P extends Fields = NoOptions>(params?: P): ActionSchema<P> {
  for (const name of Object.keys(params ?? {})) {
    if (Object.hasOwn(actionEnvelope, name)) {
      throw new Error(`action parameter "${name}" clashes with the envelope`);
    }
  }
  const fields = { ...actionEnvelope, ...(params ?? {}) } as ActionFields<P>;
  // Keep status, fault and job first, even when a parameter is called name or description.
  const order = [...Object.keys(actionEnvelope), ...fieldOrder(params ?? {})];
  // An oVirt SDK may send any field of oVirt's action: what this action does not serve is dropped unread.
  const ignored = OVIRT_ACTION_FIELDS.filter((name) => !Object.hasOwn(fields, name));
  const description = "Other fields of oVirt's action model (types/Action.java) are accepted in the body and ignored.";
  return Object.freeze({ ...obj('action', fields, { ignored, description }), order });
}

// ---- view types (what a controller hands to the renderer) ------------------------------------

export interface RefView {
  readonly id: string;
  readonly href?: string;
  /** `follow`: the referenced object itself, rendered in place of the bare reference (its id and href win). */
  readonly followed?: FollowedView;
}

export interface FollowedView {
  readonly schema: ResourceSchema;
  readonly view: unknown;
}

export interface LinkView {
  readonly rel: string;
  readonly href: string;
}

type IsOptional<F> = F extends { readonly optional: true } ? true : false;
type IsReadOnly<F> = F extends { readonly readOnly: true } ? true : false;
type IsWriteOnly<F> = F extends { readonly writeOnly: true } ? true : false;
type Simplify<T> = { [K in keyof T]: T[K] } & NonNullable<unknown>;

/** Render input for one field. Dates may be a Date, epoch milliseconds or an ISO string. */
export type ViewValue<F> = F extends { readonly kind: 'string' }
  ? string
  : F extends { readonly kind: 'int' }
    ? number
    : F extends { readonly kind: 'long' }
      ? number | bigint | string
      : F extends { readonly kind: 'bool' }
        ? boolean
        : F extends { readonly kind: 'date' }
          ? Date | number | string
          : F extends EnumField<infer V>
            ? V
            : F extends { readonly kind: 'ref' }
              ? RefView
              : F extends ObjectField<infer FS>
                ? View<FS>
                : F extends ListField<infer I>
                  ? readonly ViewValue<I>[]
                  : F extends ResourceSchema<infer FS>
                    ? ResourceView<FS>
                    : never;

/** Render input for an object: non-optional fields are required; writeOnly fields are never rendered. */
export type View<FS extends Fields> = Simplify<
  {
    readonly [
      K in keyof FS as IsWriteOnly<FS[K]> extends true ? never : IsOptional<FS[K]> extends true ? never : K
    ]: ViewValue<FS[K]>;
  } & {
    readonly [
      K in keyof FS as IsWriteOnly<FS[K]> extends true ? never : IsOptional<FS[K]> extends true ? K : never
    ]?: ViewValue<FS[K]> | null;
  }
>;

export type ResourceView<FS extends Fields> = View<FS> & {
  readonly id?: string;
  readonly href?: string;
  /** Replaces the links derived from the schema's `links` and `href`. */
  readonly link?: readonly LinkView[];
  /** Names of the actions to show (default: all of the schema's actions). */
  readonly actions?: readonly string[];
};

export type ViewOf<S> =
  S extends ResourceSchema<infer FS> ? ResourceView<FS> : S extends ObjectField<infer FS> ? View<FS> : never;

// ---- input types (what decodeBody returns) --------------------------------------------------

/** A reference in a body: by id, or by name (the service resolves it). */
export interface RefInput {
  readonly id?: string;
  readonly name?: string;
}

export type InputValue<F> = F extends { readonly kind: 'string' }
  ? string
  : F extends { readonly kind: 'int' | 'long' }
    ? number
    : F extends { readonly kind: 'bool' }
      ? boolean
      : F extends { readonly kind: 'date' }
        ? Date
        : F extends EnumField<infer V>
          ? V
          : F extends { readonly kind: 'ref' }
            ? RefInput
            : F extends ObjectField<infer FS>
              ? CreateInput<FS>
              : F extends ListField<infer I>
                ? InputValue<I>[]
                : F extends ResourceSchema<infer FS>
                  ? CreateInput<FS>
                  : never;

/** A decoded create (or action) body: required writable fields are present. */
export type CreateInput<FS extends Fields> = Simplify<
  {
    [K in keyof FS as IsReadOnly<FS[K]> extends true ? never : IsOptional<FS[K]> extends true ? never : K]: InputValue<
      FS[K]
    >;
  } & {
    [K in keyof FS as IsReadOnly<FS[K]> extends true ? never : IsOptional<FS[K]> extends true ? K : never]?: InputValue<
      FS[K]
    >;
  }
>;

type UpdateValue<F> = F extends ObjectField<infer FS> ? UpdateInput<FS> : InputValue<F>;

/** A decoded update body: every writable field may be missing; optional ones may be null (cleared). */
export type UpdateInput<FS extends Fields> = Simplify<{
  [K in keyof FS as IsReadOnly<FS[K]> extends true ? never : K]?:
    UpdateValue<FS[K]> | (IsOptional<FS[K]> extends true ? null : never);
}>;

export type CreateInputOf<S extends RootSchema> = CreateInput<S['fields']>;
export type UpdateInputOf<S extends RootSchema> = UpdateInput<S['fields']>;

/** 'georeplication_session' -> 'GeoreplicationSession'. */
export function pascalCase(name: string): string {
  return name
    .split(/[_-]/)
    .filter((p) => p !== '')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}
