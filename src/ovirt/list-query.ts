import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListQuery } from './query';
import { likePattern, orderedValues, SearchSpec } from './search';

/**
 * Applies an oVirt list query (search conditions, sortby, max) to a query builder. Columns come from the
 * resource's SearchSpec only; values are always bound parameters.
 */
export function applyListQuery<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  query: ListQuery,
  spec: SearchSpec,
): SelectQueryBuilder<E> {
  query.search.conditions.forEach((condition, i) => {
    const field = spec.fields[condition.field];
    const param = `search_${i}`;
    if (field.type === 'number' || field.type === 'date') {
      const op = condition.comparison ?? (condition.negate ? '<>' : '=');
      const value = field.type === 'date' ? new Date(Number(condition.value)) : Number(condition.value);
      qb.andWhere(`${field.column} ${op} :${param}`, { [param]: value });
      return;
    }
    if (condition.comparison !== undefined && field.values !== undefined) {
      const allowed = orderedValues(field.values, condition.comparison, condition.value);
      qb.andWhere(allowed.length > 0 ? `${field.column} IN (:...${param})` : 'false', { [param]: allowed });
      return;
    }
    const like = query.caseSensitive || field.values !== undefined ? 'LIKE' : 'ILIKE';
    qb.andWhere(`${field.column} ${condition.negate ? 'NOT ' : ''}${like} :${param} ESCAPE '\\'`, {
      [param]: likePattern(condition.value),
    });
  });
  const sort = spec.fields[query.search.sort.field];
  const direction = query.search.sort.descending ? 'DESC' : 'ASC';
  // Ties in the sort field come out in the default order, so a list is always in the same order.
  qb.orderBy(sort.column, direction);
  const tieDirection = spec.defaultDescending ? 'DESC' : 'ASC';
  if (query.search.sort.field !== spec.defaultSort) qb.addOrderBy(spec.fields[spec.defaultSort].column, tieDirection);
  const idColumn = `${qb.alias}.id`;
  if (sort.column !== idColumn) qb.addOrderBy(idColumn, tieDirection);
  if (query.max !== undefined) qb.take(query.max);
  return qb;
}
