import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListQuery } from '../ovirt/query';
import { likePattern, SearchSpec } from '../ovirt/search';

/**
 * Applies an oVirt list query (search conditions, sortby, max) to a query builder. Columns come from the
 * resource's SearchSpec only; values are always bound parameters.
 */
export function applyListQuery<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, query: ListQuery, spec: SearchSpec): SelectQueryBuilder<E> {
  query.search.conditions.forEach((condition, i) => {
    const field = spec.fields[condition.field];
    const like = query.caseSensitive || field.values !== undefined ? 'LIKE' : 'ILIKE';
    const param = `search_${i}`;
    qb.andWhere(`${field.column} ${condition.negate ? 'NOT ' : ''}${like} :${param} ESCAPE '\\'`, { [param]: likePattern(condition.value) });
  });
  const sort = spec.fields[query.search.sort.field];
  const direction = query.search.sort.descending ? 'DESC' : 'ASC';
  // Ties in the sort field come out in the default order, so a list is always in the same order.
  qb.orderBy(sort.column, direction);
  if (query.search.sort.field !== spec.defaultSort) qb.addOrderBy(spec.fields[spec.defaultSort].column, 'ASC');
  qb.addOrderBy(`${qb.alias}.id`, 'ASC');
  if (query.max !== undefined) qb.take(query.max);
  return qb;
}
