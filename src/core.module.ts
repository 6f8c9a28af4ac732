import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from './config/config';
import { dataSourceOptions } from './data-source';
import { loggerModule } from './logging/logger.module';
import { QueueProducer } from './queue/queue-producer';
import { SessionSignals } from './queue/session-signals';
import { QUEUE_PREFIX, REDIS_PRODUCER, REDIS_URL } from './queue/queue.tokens';
import { createRedisConnection } from './queue/redis-connection';

export interface ResolvedServices {
  databaseUrl: string;
  redisUrl: string;
}

/** Configuration, database, logging, the queue producer and session signals: what every role needs. */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_PRODUCER) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  static register(config: AppConfig, services: ResolvedServices): DynamicModule {
    return {
      module: CoreModule,
      imports: [loggerModule(config), TypeOrmModule.forRoot(dataSourceOptions(services.databaseUrl))],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: REDIS_URL, useValue: services.redisUrl },
        { provide: QUEUE_PREFIX, useValue: config.queuePrefix },
        {
          provide: REDIS_PRODUCER,
          useFactory: () => {
            const redis = createRedisConnection(services.redisUrl, 'producer');
            // Without a listener ioredis prints every reconnect failure; readiness reports Redis instead.
            redis.on('error', () => undefined);
            return redis;
          },
        },
        QueueProducer,
        SessionSignals,
      ],
      exports: [APP_CONFIG, REDIS_URL, QUEUE_PREFIX, REDIS_PRODUCER, QueueProducer, SessionSignals],
    };
  }
}
