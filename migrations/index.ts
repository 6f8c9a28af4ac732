import { Initial1795000000000 } from './1795000000000-Initial';
import { JobRunState1795100000000 } from './1795100000000-JobRunState';
import { GlusterDiscovery1795200000000 } from './1795200000000-GlusterDiscovery';
import { StallDetection1795300000000 } from './1795300000000-StallDetection';
import { Canary1795310000000 } from './1795310000000-Canary';
import { DisasterRecovery1795400000000 } from './1795400000000-DisasterRecovery';
import { HealingDrift1795500000000 } from './1795500000000-HealingDrift';
import { StorageDomainHost1795600000000 } from './1795600000000-StorageDomainHost';
import { EventSubscriptions1795700000000 } from './1795700000000-EventSubscriptions';
import { Failover1795800000000 } from './1795800000000-Failover';
import { NotificationOutbox1795900000000 } from './1795900000000-NotificationOutbox';
import { GlusterEventsPush1796000000000 } from './1796000000000-GlusterEventsPush';
import { EngineQuiesce1796100000000 } from './1796100000000-EngineQuiesce';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [
  Initial1795000000000,
  JobRunState1795100000000,
  GlusterDiscovery1795200000000,
  StallDetection1795300000000,
  Canary1795310000000,
  DisasterRecovery1795400000000,
  HealingDrift1795500000000,
  StorageDomainHost1795600000000,
  EventSubscriptions1795700000000,
  Failover1795800000000,
  NotificationOutbox1795900000000,
  GlusterEventsPush1796000000000,
  EngineQuiesce1796100000000,
];
