import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Public } from '../ovirt/routes';
import { REDIS_PRODUCER } from '../queue/queue.tokens';

/**
 * Liveness says the process answers. Readiness follows the role: the API is ready when PostgreSQL
 * answers (reads keep working while Redis is down); a process that also runs the worker needs Redis.
 */
@ApiExcludeController()
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
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
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
