/**
 * Field names (XML element / JSON key) of oVirt's v4 API model for the types this service accepts in
 * request bodies, so that a body an oVirt SDK builds from its own object model is never refused for
 * naming an oVirt field. Source: the public repository oVirt/ovirt-engine-api-model,
 * src/main/java/types/<Type>.java (each getter, camelCase turned to snake_case; `@Link` getters
 * included, as SDKs send them back), plus the fields of Identified.java that every such type extends.
 */

/** Identified.java (id is handled by the codec, listed for completeness). */
export const OVIRT_IDENTIFIED_FIELDS = ['id', 'name', 'description', 'comment'] as const;

/** Cluster.java. */
export const OVIRT_CLUSTER_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'cpu',
  'memory_policy',
  'version',
  'supported_versions',
  'error_handling',
  'virt_service',
  'gluster_service',
  'threads_as_cores',
  'tunnel_migration',
  'trusted_service',
  'ha_reservation',
  'vnc_encryption',
  'bios_type',
  'optional_reason',
  'maintenance_reason_required',
  'ballooning_enabled',
  'display',
  'ksm',
  'serial_number',
  'required_rng_sources',
  'fencing_policy',
  'migration',
  'custom_scheduling_policy_properties',
  'switch_type',
  'firewall_type',
  'log_max_memory_used_threshold',
  'log_max_memory_used_threshold_type',
  'enabled_features',
  'scheduling_policy',
  'data_center',
  'management_network',
  'external_network_providers',
  'mac_pool',
  'affinity_groups',
  'cpu_profiles',
  'gluster_hooks',
  'gluster_volumes',
  'network_filters',
  'networks',
  'permissions',
  'gluster_tuned_profile',
  'fips_mode',
  'upgrade_in_progress',
  'upgrade_percent_complete',
  'upgrade_correlation_id',
] as const;

/** Host.java. */
export const OVIRT_HOST_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'address',
  'auto_numa_status',
  'certificate',
  'cpu',
  'device_passthrough',
  'display',
  'external_status',
  'hardware_information',
  'hosted_engine',
  'iscsi',
  'kdump_status',
  'ksm',
  'libvirt_version',
  'max_scheduling_memory',
  'memory',
  'network_operation_in_progress',
  'numa_supported',
  'os',
  'override_iptables',
  'ovn_configured',
  'port',
  'power_management',
  'protocol',
  'reinstallation_required',
  'root_password',
  'se_linux',
  'spm',
  'ssh',
  'status',
  'status_detail',
  'summary',
  'transparent_huge_pages',
  'type',
  'update_available',
  'version',
  'vgpu_placement',
  'affinity_labels',
  'agents',
  'cluster',
  'devices',
  'external_host_provider',
  'external_network_provider_configurations',
  'hooks',
  'katello_errata',
  'network_attachments',
  'nics',
  'numa_nodes',
  'permissions',
  'statistics',
  'storage_connection_extensions',
  'storages',
  'tags',
  'unmanaged_networks',
] as const;

/** Ssh.java. */
export const OVIRT_SSH_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'port',
  'fingerprint',
  'public_key',
  'authentication_method',
  'user',
] as const;

/** User.java (what `ssh.user` is). */
export const OVIRT_USER_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'department',
  'domain_entry_id',
  'email',
  'last_name',
  'logged_in',
  'namespace',
  'password',
  'principal',
  'user_name',
  'user_options',
  'domain',
  'groups',
  'options',
  'permissions',
  'roles',
  'ssh_public_keys',
  'tags',
] as const;

/** StorageDomain.java. */
export const OVIRT_STORAGE_DOMAIN_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'type',
  'status',
  'external_status',
  'master',
  'storage',
  'available',
  'used',
  'committed',
  'storage_format',
  'wipe_after_delete',
  'discard_after_delete',
  'supports_discard',
  'supports_discard_zeroes_data',
  'import',
  'warning_low_space_indicator',
  'critical_space_action_blocker',
  'host',
  'data_center',
  'backup',
  'block_size',
  'data_centers',
  'disks',
  'disk_profiles',
  'disk_snapshots',
  'files',
  'images',
  'permissions',
  'storage_connections',
  'templates',
  'vms',
] as const;

/** HostStorage.java (what a storage domain's `storage` is). */
export const OVIRT_HOST_STORAGE_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'address',
  'type',
  'path',
  'mount_options',
  'vfs_type',
  'nfs_version',
  'nfs_timeo',
  'nfs_retrans',
  'port',
  'target',
  'username',
  'password',
  'portal',
  'logical_units',
  'override_luns',
  'volume_group',
  'driver_options',
  'driver_sensitive_options',
  'host',
] as const;

/** Names on the wire that the codec handles itself (never a schema field). */
const CODEC_NAMES: ReadonlySet<string> = new Set(['id', 'href', 'link', 'actions']);

export interface OvirtModelFit {
  /** oVirt's fields that this service accepts and drops (for the schema's `ignored`). */
  readonly ignored: readonly string[];
  /** The description with a sentence naming the ignored fields (for the OpenAPI document). */
  readonly description: string;
}

/**
 * What a schema with `served` fields must ignore to accept every field of oVirt's `model`: the model's
 * names it does not serve. `id` is left out of the list where the codec already skips it (resources).
 */
export function fitOvirtModel(
  model: readonly string[],
  served: readonly string[],
  description: string,
  options?: { resource?: boolean },
): OvirtModelFit {
  const skip = options?.resource === false ? new Set<string>() : CODEC_NAMES;
  const ignored = model.filter((name) => !served.includes(name) && !skip.has(name)).sort();
  const list = ignored.filter((name) => !CODEC_NAMES.has(name));
  const sentence =
    list.length > 0 ? ` Fields of oVirt's model accepted in bodies and ignored: ${list.join(', ')}.` : '';
  return { ignored, description: `${description}${sentence}` };
}
