/**
 * The regional fleet: a Linux virtual machine scale set across zones 1-3
 * (best-effort zone balance: strict balance makes every scale-out fail while a
 * zone is down, exactly when the surviving zones need the capacity; the
 * setting forces replacement, so it is decided at creation), a user-assigned managed identity, SSH keys only,
 * automatic instance repairs driven by one health source (the Application
 * Health extension on the server's liveness path: Azure allows either the
 * extension or a load-balancer probe, and Application Gateway probes are not
 * load-balancer probes), rolling upgrades, no overprovisioning. The server is
 * delivered by the core server source, as a cloud-init script (Ubuntu, apt).
 */
import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { McpServerSource, OsFamily, shellQuote, timeoutEnvironment } from '../core/server-source';
import { AvailabilityTier, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { AZURE_FACTS, AZURE_ZONES } from './facts';
import { resolveFleetCapacity } from './private/fleet-capacity';
import { validatorFor } from './validation';

/** Instances of the fleet (the same shape as on AWS). */
export interface FleetCapacity {
  /** The capacity the service needs on a normal day; schedules and presets are percentages of it. */
  readonly baseline: number;
  /** Instances that always run. @default - the larger of baseline and the tier's minCapacity */
  readonly min?: number;
  /** Instances scaling may reach. @default - twice the baseline (at least min) */
  readonly max?: number;
}

/** Capacity as rendered. */
export interface ResolvedFleetCapacity {
  /** The capacity the service needs on a normal day. */
  readonly baseline: number;
  /** Instances that always run. */
  readonly min: number;
  /** Instances scaling may reach. */
  readonly max: number;
}

/** Props of `McpFleet`: one region's scale set. */
export interface McpFleetProps {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region (with availability zones). */
  readonly location: string;
  /** The application subnet (outbound internet for packages and images). */
  readonly subnetId: string;
  /**
   * The availability tier: its minimum capacity, probe path and timeouts.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Changes to the tier's defaults.
   * @default - the tier's values unchanged
   */
  readonly tierOverrides?: TierOverrides;
  /** The MCP server every instance runs (delivered as a cloud-init script). */
  readonly server: McpServerSource;
  /** Instances: baseline, min and max. */
  readonly capacity: FleetCapacity;
  /** The gateway backend pool the instances join. */
  readonly backendPoolId: string;
  /** The user-assigned identity of the instances (reads Key Vault secrets). */
  readonly identityId: string;
  /** Client id of that identity (the boot script asks the metadata service for its token). */
  readonly identityClientId: string;
  /** OpenSSH public key of the admin user (password authentication is off; no port opens for SSH). */
  readonly sshPublicKey: string;
  /**
   * The instances' VM size.
   * @default 'Standard_D2s_v5'
   */
  readonly vmSize?: string;
  /**
   * Plain environment for the server (no secrets: custom data is readable by anyone who can read the scale set).
   * @default - only what the server source and the tier's timeouts set
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets read at boot from Key Vault with the identity: variable name -> versionless secret URI.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, string>;
  /**
   * Strict zone balance. Either way the scale set spreads instances evenly across zones 1-3;
   * strict balance additionally fails any scaling that would unbalance the zones, so while a
   * zone is down neither repairs nor scale-out can add capacity in the surviving zones
   * ("If that is not possible, the scaling operation will fail",
   * https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-zone-balancing).
   * Changing it replaces the scale set, so it is decided at creation.
   * @default false (best-effort: a zone outage leaves a temporary imbalance and the survivors scale out)
   */
  readonly zoneBalance?: boolean;
  /** Minutes automatic repairs wait after an instance changes state (10-90). @default 10 */
  readonly repairGraceMinutes?: number;
}

/** One region's MCP servers: a Linux scale set across zones 1-3 with automatic repairs and rolling upgrades. */
export class McpFleet extends Construct {
  /** The scale set. */
  public readonly scaleSet: LinuxVirtualMachineScaleSet;
  /** The capacity as rendered (min at least the tier's minCapacity). */
  public readonly capacity: ResolvedFleetCapacity;
  /** The resolved tier profile. */
  public readonly profile: TierProfile;
  /** The boot script (bash), as rendered before base64 encoding (tokens included). */
  public readonly startScript: string;

  constructor(scope: Construct, id: string, props: McpFleetProps) {
    super(scope, id);
    const v = validatorFor(this);
    this.profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    v.throwIfInvalid();
    const p = this.profile;
    const c = props.capacity;
    v.integerInRange('capacity.baseline', c.baseline, { min: 1, max: 1000 });
    this.capacity = resolveFleetCapacity(c, p);
    v.check(Number.isInteger(this.capacity.min) && this.capacity.min >= p.minCapacity, 'capacity.min', this.capacity.min,
      `an integer of at least the tier's minCapacity (${p.minCapacity}): one running instance per zone`);
    v.check(this.capacity.max >= this.capacity.min && this.capacity.max <= 1000, 'capacity.max', this.capacity.max,
      `an integer from capacity.min (${this.capacity.min}) to 1000 (scale set limit with one placement group off)`);
    const grace = props.repairGraceMinutes ?? 10;
    const g = AZURE_FACTS.vmssRepairGraceMinutes;
    v.integerInRange('repairGraceMinutes', grace, g, `automatic repairs grace period, ${g.docUrl}`);
    v.check(typeof props.sshPublicKey === 'string' && /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(props.sshPublicKey.trim()),
      'sshPublicKey', props.sshPublicKey ? `${String(props.sshPublicKey).slice(0, 20)}...` : props.sshPublicKey,
      'an OpenSSH public key ("ssh-ed25519 AAAA..." or "ssh-rsa AAAA...")');
    for (const name of Object.keys(props.secretEnvironment ?? {})) {
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(name in (props.environment ?? {})), `secretEnvironment.${name}`, name,
        'a variable name not also set in environment');
    }
    v.throwIfInvalid();

    const zoneBalance = props.zoneBalance ?? false;
    const chain = p.timeouts;
    const env = { ...timeoutEnvironment(chain), ...props.environment };
    const lines = props.server.renderStartScript(env, props.secretEnvironment ?? {}, {
      osFamily: OsFamily.UBUNTU,
      fetchSecret: (name, uri) => keyVaultFetch(name, uri, props.identityClientId),
    });
    this.startScript = ['#!/bin/bash', ...lines, ''].join('\n');
    // With every instance required healthy (minHealthyPercent 100), upgrades surge new instances first.
    const surge = p.minHealthyPercent >= 100;
    const batch = Math.max(5, Math.min(100, 100 - p.minHealthyPercent)) ;
    const drainMinutes = Math.min(15, Math.max(5, Math.ceil(chain.drainSeconds / 60)));

    this.scaleSet = new LinuxVirtualMachineScaleSet(this, 'ScaleSet', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: 'mcp-servers',
      sku: props.vmSize ?? 'Standard_D2s_v5',
      instances: this.capacity.min,
      zones: [...AZURE_ZONES],
      zoneBalance,
      overprovision: false,
      upgradeMode: 'Rolling',
      rollingUpgradePolicy: {
        maxBatchInstancePercent: batch,
        maxUnhealthyInstancePercent: batch,
        maxUnhealthyUpgradedInstancePercent: batch,
        pauseTimeBetweenBatches: 'PT0S',
        maximumSurgeInstancesEnabled: surge,
        prioritizeUnhealthyInstancesEnabled: true,
      },
      // One health source: the Application Health extension on the liveness path.
      automaticInstanceRepair: { enabled: true, gracePeriod: `PT${grace}M`, action: 'Replace' },
      extension: [{
        name: 'health',
        publisher: 'Microsoft.ManagedServices',
        type: 'ApplicationHealthLinux',
        typeHandlerVersion: '2.0',
        autoUpgradeMinorVersion: true,
        settings: JSON.stringify({
          protocol: 'http', port: props.server.port, requestPath: props.server.livenessPath,
          intervalInSeconds: 5, numberOfProbes: 2, gracePeriod: grace * 60,
        }),
      }],
      identity: { type: 'UserAssigned', identityIds: [props.identityId] },
      adminUsername: 'mcpadmin',
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: 'mcpadmin', publicKey: props.sshPublicKey.trim() }],
      sourceImageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
      secureBootEnabled: true,
      vtpmEnabled: true,
      osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
      customData: Fn.base64encode(terraformString(this.startScript)),
      networkInterface: [{
        name: 'nic',
        primary: true,
        ipConfiguration: [{ name: 'ip', primary: true, subnetId: props.subnetId, applicationGatewayBackendAddressPoolIds: [props.backendPoolId] }],
      }],
      scaleIn: { rule: 'Default', forceDeletionEnabled: false },
      // Instances learn they are being deleted and drain before the platform stops them.
      terminationNotification: { enabled: true, timeout: `PT${drainMinutes}M` },
      // Autoscale owns the instance count.
      lifecycle: { ignoreChanges: ['instances'] },
    });
  }
}

/**
 * A string with CDKTF tokens as a Terraform expression: the literal parts
 * escaped (quotes, `${`), the tokens left to resolve.
 */
function terraformString(value: string): string {
  const parts = value.split(/(\$\{TfToken\[[^\]]+\]\})/).filter((x) => x !== '');
  return Fn.join('', parts.map((x) => (/^\$\{TfToken\[/.test(x) ? x : Fn.rawString(x))));
}

/**
 * One secret from Key Vault at boot: a token for the user-assigned identity from
 * the instance metadata service, then the secret's value (no `${`: Terraform
 * would read it as an interpolation).
 */
function keyVaultFetch(name: string, secretUri: string, clientId: string): string {
  const imds = `http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=${clientId}`;
  const json = (key: string) => `python3 -c 'import json,sys; print(json.load(sys.stdin)["${key}"])'`;
  return [
    `kv_token="$(curl -sf --retry 10 --retry-connrefused -H Metadata:true ${shellQuote(imds)} | ${json('access_token')})"`,
    `${name}="$(curl -sf --retry 5 -H "Authorization: Bearer $kv_token" ${shellQuote(secretUri)}'?api-version=7.4' | ${json('value')})"`,
  ].join('\n');
}
