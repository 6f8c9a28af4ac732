export const REDIS_PRODUCER = Symbol('REDIS_PRODUCER');
export const REDIS_URL = Symbol('REDIS_URL');
export const QUEUE_PREFIX = Symbol('QUEUE_PREFIX');
