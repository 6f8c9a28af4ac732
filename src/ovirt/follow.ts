import { Injectable } from '@nestjs/common';
import { OvirtFault } from './faults';
import type { RefView, ResourceSchema } from './representation';

/** Loads the views of one resource type by id; ids that do not exist (any more) are simply missing. */
export type FollowLoader = (ids: readonly string[]) => Promise<ReadonlyMap<string, object>>;

/** Reference fields of `schema` whose target type is one of `servedTypes` (types with a GET route). */
export function followableFields(schema: ResourceSchema, servedTypes: ReadonlySet<string>): string[] {
  return schema.order.filter((name) => {
    const field = schema.fields[name];
    return field.kind === 'ref' && servedTypes.has(field.type);
  });
}

/**
 * `follow=cluster`: feature modules register how to load their resources, and references to them can
 * then be inlined. OvirtModule checks at start-up that every reference a route offers to follow has a
 * loader, so the OpenAPI document (which derives the offer from the routes) cannot promise too much.
 */
@Injectable()
export class FollowRegistry {
  private readonly targets = new Map<string, { schema: ResourceSchema; load: FollowLoader }>();

  register(schema: ResourceSchema, load: FollowLoader): void {
    if (this.targets.has(schema.type)) {
      throw new Error(`a follow loader for ${schema.type} is registered twice`);
    }
    this.targets.set(schema.type, { schema, load });
  }

  types(): ReadonlySet<string> {
    return new Set(this.targets.keys());
  }

  /** Throws a 400 naming what can be followed when `names` asks for anything else. */
  check(schema: ResourceSchema, names: readonly string[]): void {
    const possible = followableFields(schema, this.types());
    const wrong = names.filter((n) => !possible.includes(n));
    if (wrong.length > 0) {
      const offer = possible.length > 0 ? `possible: ${possible.join(', ')}` : `${schema.type} has no links to follow`;
      throw OvirtFault.invalidParameter('follow', `cannot follow ${wrong.join(', ')} from ${schema.type} (${offer})`);
    }
  }

  /** The views with each followed reference replaced by the referenced object (a dangling one stays a reference). */
  async expand<V extends object>(schema: ResourceSchema, views: readonly V[], names: readonly string[]): Promise<V[]> {
    let result = [...views];
    for (const name of names) {
      const field = schema.fields[name];
      if (field.kind !== 'ref') continue;
      const target = this.targets.get(field.type);
      if (!target) continue;
      const refOf = (v: V): RefView | undefined => (v as Record<string, RefView | undefined>)[name] ?? undefined;
      const ids = [...new Set(result.map(refOf).flatMap((r) => (r ? [r.id] : [])))];
      const loaded = ids.length > 0 ? await target.load(ids) : new Map<string, object>();
      result = result.map((v) => {
        const ref = refOf(v);
        const found = ref ? loaded.get(ref.id) : undefined;
        return found && ref ? { ...v, [name]: { ...ref, followed: { schema: target.schema, view: found } } } : v;
      });
    }
    return result;
  }
}
