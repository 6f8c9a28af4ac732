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

/** Event.java (index and log_on_host as of the 4.4 model). */
export const OVIRT_EVENT_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'index',
  'code',
  'severity',
  'time',
  'correlation_id',
  'origin',
  'custom_id',
  'flood_rate',
  'log_on_host',
  'custom_data',
  'user',
  'vm',
  'storage_domain',
  'host',
  'template',
  'cluster',
  'data_center',
] as const;

/** Job.java. */
export const OVIRT_JOB_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'status',
  'start_time',
  'end_time',
  'last_updated',
  'external',
  'auto_cleared',
  'owner',
  'steps',
] as const;

/** Step.java (progress and execution_host since 4.1). */
export const OVIRT_STEP_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'type',
  'number',
  'status',
  'start_time',
  'end_time',
  'external',
  'external_type',
  'parent_step',
  'job',
  'statistics',
  'progress',
  'execution_host',
] as const;

/** GlusterVolume.java (statistics from the Java SDK's generated interface). */
export const OVIRT_GLUSTER_VOLUME_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'volume_type',
  'transport_types',
  'replica_count',
  'stripe_count',
  'disperse_count',
  'redundancy_count',
  'options',
  'status',
  'cluster',
  'bricks',
  'statistics',
] as const;

/**
 * GlusterBrick.java with what it extends: GlusterBrickAdvancedDetails.java and Device.java (statistics from
 * the Java SDK's generated interface).
 */
export const OVIRT_GLUSTER_BRICK_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'template',
  'instance_type',
  'vms',
  'vm',
  'port',
  'pid',
  'device',
  'mnt_options',
  'fs_name',
  'gluster_clients',
  'memory_pools',
  'server_id',
  'brick_dir',
  'status',
  'gluster_volume',
  'statistics',
] as const;

/**
 * Action.java, the body of every action: the fields of the Java SDK's generated interface (the model's
 * file holds the same list with its documentation). Each action serves the few it means and ignores the rest.
 */
export const OVIRT_ACTION_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'activate',
  'allow_partial_import',
  'async',
  'attachment',
  'authorized_key',
  'auto_pinning_policy',
  'bricks',
  'certificates',
  'check_connectivity',
  'clone',
  'clone_permissions',
  'cluster',
  'collapse_snapshots',
  'commit_on_success',
  'connection',
  'connectivity_timeout',
  'data_center',
  'deploy_hosted_engine',
  'details',
  'directory',
  'discard_snapshots',
  'discovered_targets',
  'disk',
  'disk_profile',
  'disks',
  'exclusive',
  'fault',
  'fence_type',
  'filename',
  'filter',
  'fix_layout',
  'force',
  'grace_period',
  'host',
  'image',
  'image_transfer',
  'import_as_template',
  'is_attached',
  'iscsi',
  'iscsi_targets',
  'job',
  'lease',
  'logical_units',
  'maintenance_after_restart',
  'maintenance_enabled',
  'migrate_vms_in_affinity_closure',
  'modified_bonds',
  'modified_labels',
  'modified_network_attachments',
  'optimize_cpu_settings',
  'option',
  'pause',
  'permission',
  'power_management',
  'proxy_ticket',
  'quota',
  'reason',
  'reassign_bad_macs',
  'reboot',
  'registration_configuration',
  'remote_viewer_connection_file',
  'removed_bonds',
  'removed_labels',
  'removed_network_attachments',
  'resolution_type',
  'restore_memory',
  'root_password',
  'seal',
  'snapshot',
  'source_host',
  'ssh',
  'status',
  'stop_gluster_service',
  'storage_domain',
  'storage_domains',
  'succeeded',
  'synchronized_network_attachments',
  'template',
  'ticket',
  'timeout',
  'undeploy_hosted_engine',
  'upgrade_action',
  'use_cloud_init',
  'use_ignition',
  'use_initialization',
  'use_sysprep',
  'virtual_functions_configuration',
  'vm',
  'vnic_profile_mappings',
  'volatile',
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
