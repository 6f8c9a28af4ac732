import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { faultResponse } from '../ovirt/openapi-document';
import { OpenApiSchema } from '../ovirt/representation';
import { DescribedRoute, Public } from '../ovirt/routes';
import { REDIS_PRODUCER } from '../queue/queue.tokens';

const HEALTH_TAG = {
  name: 'health',
  description: 'Liveness and readiness, for load balancers and orchestrators (public).',
};

/** What @nestjs/terminus says of one dependency. */
const INDICATOR: OpenApiSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
  required: ['status'],
};
const INDICATORS: OpenApiSchema = {
  type: 'object',
  additionalProperties: { $ref: '#/components/schemas/HealthIndicator' },
};

/**
 * Liveness says the process answers. Readiness follows the role: the API is ready when PostgreSQL
 * answers (reads keep working while Redis is down); a process that also runs the worker needs Redis.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_PRODUCER) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @DescribedRoute({
    tag: HEALTH_TAG,
    operationId: 'getLiveness',
    summary: 'Whether the process answers',
    responses: {
      '200': {
        description: 'It does.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Liveness' } } },
      },
    },
    faults: [500],
    schemas: {
      Liveness: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] },
    },
  })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @DescribedRoute({
    tag: HEALTH_TAG,
    operationId: 'getReadiness',
    summary: 'Whether the process can serve: PostgreSQL answers (and Redis, for a process that runs the worker)',
    responses: {
      '200': {
        description: 'Ready; what each dependency said.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
      },
      '503': faultResponse('Not ready: PostgreSQL (or, for a process that runs the worker, Redis) does not answer.'),
    },
    faults: [500],
    schemas: {
      HealthIndicator: INDICATOR,
      Readiness: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ok'] },
          info: INDICATORS,
          error: INDICATORS,
          details: INDICATORS,
        },
        required: ['status', 'details'],
      },
    },
  })
  ready() {
    const checks = [() => this.db.pingCheck('database', { timeout: 2000 })];
    if (this.config.role !== 'api') checks.push(() => this.redisCheck());
    return this.health.check(checks);
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
      ]);
      return indicator.up();
    } catch (e) {
      return indicator.down({ message: (e as Error).message === 'timeout' ? 'no answer within 2 s' : 'not reachable' });
    }
  }
}
