/**
 * AWS Global Accelerator in front of regional Application Load Balancers: two
 * static anycast addresses, one TCP listener on 443 (and optionally 80), one
 * endpoint group per region with client IP preservation.
 *
 * Health: for ALB endpoints Global Accelerator uses the load balancer's own
 * target health ("For Network Load Balancer and Application Load Balancer
 * endpoints, configure health check settings on the ELB console"), so this
 * construct sets no endpoint-group health-check settings: they would not apply.
 * Failover ignores traffic dials: a group dialled to 0 still receives traffic
 * when the others have no healthy endpoint
 * (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html).
 *
 * The Global Accelerator API lives in us-west-2 only: the stack holding this
 * construct must be deployed there. Load balancers of other regions come in as
 * ARN strings (for instance read from SSM parameters by the multi-region topology).
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib/core';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ga from 'aws-cdk-lib/aws-globalaccelerator';
import * as gaEndpoints from 'aws-cdk-lib/aws-globalaccelerator-endpoints';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { RoutingMechanism } from '../core/tiers';
import { validatorFor } from './validation';

/** The only region whose API manages accelerators. */
export const GLOBAL_ACCELERATOR_API_REGION = 'us-west-2';

/** How traffic spreads over the endpoint groups while all are healthy. */
export enum AcceleratorMode {
  /** Every group's traffic dial at 100 %: clients reach their closest healthy region. */
  ACTIVE_ACTIVE = 'active-active',
  /** The first group at 100 %, the others at 0 %: they receive traffic only on failover. */
  ACTIVE_PASSIVE = 'active-passive',
}

/** Client affinity of the listener. */
export enum AcceleratorClientAffinity {
  /** Any connection may go to any endpoint (5-tuple hashing). */
  NONE = 'NONE',
  /** Connections from one source IP go to the same endpoint (2-tuple hashing). */
  SOURCE_IP = 'SOURCE_IP',
}

/** One region's endpoint group. */
export interface AcceleratorEndpointGroup {
  /** The AWS region of the load balancer. */
  readonly region: string;
  /**
   * The Application Load Balancer: an object in this app, or the ARN of one in any
   * region (may be a token, e.g. from an SSM parameter).
   */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer | string;
  /**
   * Share of the traffic that reaches this group sends to it, 0-100.
   * @default - from `mode`: 100, or 0 for the non-first groups of ACTIVE_PASSIVE
   */
  readonly trafficDialPercentage?: number;
}

/** Props of `McpAccelerator`: one endpoint group per region, how traffic spreads over them, and the listener. */
export interface McpAcceleratorProps {
  /** Endpoint groups keyed by a stable name (construct IDs); insertion order matters for ACTIVE_PASSIVE. */
  readonly endpointGroups: Record<string, AcceleratorEndpointGroup>;
  /** How traffic spreads while every group is healthy: all dials at 100 %, or only the first. @default AcceleratorMode.ACTIVE_ACTIVE */
  readonly mode?: AcceleratorMode;
  /** Whether one client's connections stick to one endpoint. @default AcceleratorClientAffinity.NONE - 5-tuple hashing */
  readonly clientAffinity?: AcceleratorClientAffinity;
  /**
   * Also listen on TCP 80 (for the load balancers' HTTP-to-HTTPS redirect, which they
   * serve only with `McpLoadBalancer` `httpRedirect: true`; off by default).
   * @default false
   */
  readonly listenHttp?: boolean;
  /**
   * Preserve the client IP (the load balancer sees the real source address).
   * @default true
   */
  readonly preserveClientIp?: boolean;
  /**
   * Accelerator name (1-64 letters, digits and hyphens, not starting or ending with a hyphen).
   * @default - derived from the construct path
   */
  readonly acceleratorName?: string;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/**
 * A Global Accelerator with one listener and one endpoint group per region, each
 * pointing at a regional Application Load Balancer.
 */
export class McpAccelerator extends Construct {
  public readonly accelerator: ga.Accelerator;
  public readonly listener: ga.Listener;
  /** Endpoint groups by name. */
  public readonly endpointGroups: Record<string, ga.EndpointGroup> = {};
  /** The accelerator's DNS name (point a CNAME or alias at it). */
  public readonly dnsName: string;
  /** The traffic dial of each group, as rendered. */
  public readonly trafficDials: Record<string, number> = {};
  /** Routing for the failover budget: anycast, no DNS step. */
  public readonly routing = RoutingMechanism.ANYCAST;
  public readonly mode: AcceleratorMode;

  constructor(scope: Construct, id: string, props: McpAcceleratorProps) {
    super(scope, id);
    const v = validatorFor(this);
    const mode = props.mode ?? AcceleratorMode.ACTIVE_ACTIVE;
    const clientAffinity = props.clientAffinity ?? AcceleratorClientAffinity.NONE;
    const names = Object.keys(props.endpointGroups);

    // ---- validate ----
    const stackRegion = Stack.of(this).region;
    if (!Token.isUnresolved(stackRegion)) {
      v.check(stackRegion === GLOBAL_ACCELERATOR_API_REGION, 'region', stackRegion,
        `${GLOBAL_ACCELERATOR_API_REGION} (the stack's region): "you must specify the US West (Oregon) Region to create, `
        + 'update, or otherwise work with accelerators" (https://docs.aws.amazon.com/global-accelerator/latest/api/API_CreateAccelerator.html); '
        + 'the endpoint groups may point at any region');
    }
    v.oneOf('mode', mode, Object.values(AcceleratorMode));
    v.oneOf('clientAffinity', clientAffinity, Object.values(AcceleratorClientAffinity));
    v.check(names.length >= 1, 'endpointGroups', props.endpointGroups, 'at least one endpoint group');
    if (mode === AcceleratorMode.ACTIVE_PASSIVE) {
      v.check(names.length >= 2, 'endpointGroups', names,
        `at least 2 endpoint groups with mode ${AcceleratorMode.ACTIVE_PASSIVE} (one active, one or more passive)`);
    }
    if (props.acceleratorName !== undefined && !Token.isUnresolved(props.acceleratorName)) {
      v.check(/^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/.test(props.acceleratorName), 'acceleratorName', props.acceleratorName,
        '1-64 letters, digits and hyphens, not starting or ending with a hyphen');
    }
    const seenRegions = new Map<string, string>();
    names.forEach((name, i) => {
      const group = props.endpointGroups[name];
      v.check(GROUP_NAME.test(name), 'endpointGroups', name,
        'names of 1-64 letters, digits and hyphens starting with a letter (they become construct IDs)');
      validateGroup(v.nested(`endpointGroups.${name}`), group);
      const dial = group.trafficDialPercentage ?? defaultDial(mode, i);
      this.trafficDials[name] = dial;
      if (!Token.isUnresolved(group.region)) {
        const other = seenRegions.get(group.region);
        v.check(other === undefined, `endpointGroups.${name}.region`, group.region,
          `a region not used by another group (${other} already uses it): a listener has one endpoint group per region`);
        seenRegions.set(group.region, name);
      }
    });
    v.throwIfInvalid();

    // ---- build ----
    this.mode = mode;
    this.accelerator = new ga.Accelerator(this, 'Resource', { acceleratorName: props.acceleratorName });
    this.listener = this.accelerator.addListener('Listener', {
      protocol: ga.ConnectionProtocol.TCP,
      portRanges: props.listenHttp ? [{ fromPort: 443 }, { fromPort: 80 }] : [{ fromPort: 443 }],
      clientAffinity: clientAffinity === AcceleratorClientAffinity.SOURCE_IP ? ga.ClientAffinity.SOURCE_IP : ga.ClientAffinity.NONE,
    });
    const preserveClientIp = props.preserveClientIp ?? true;
    for (const name of names) {
      const group = props.endpointGroups[name];
      const endpoint: ga.IEndpoint = typeof group.loadBalancer === 'string'
        ? new ga.RawEndpoint({ endpointId: group.loadBalancer, preserveClientIp, region: group.region })
        : new gaEndpoints.ApplicationLoadBalancerEndpoint(group.loadBalancer, { preserveClientIp });
      // No health-check settings: for ALB endpoints Global Accelerator uses the ALB's target health.
      this.endpointGroups[name] = this.listener.addEndpointGroup(name, {
        region: group.region,
        trafficDialPercentage: this.trafficDials[name],
        endpoints: [endpoint],
      });
    }
    this.dnsName = this.accelerator.dnsName;
  }
}

function defaultDial(mode: AcceleratorMode, index: number): number {
  return mode === AcceleratorMode.ACTIVE_PASSIVE && index > 0 ? 0 : 100;
}

function validateGroup(v: Validator, group: AcceleratorEndpointGroup): void {
  v.check(REGION.test(group.region), 'region', group.region, 'an AWS region name such as "eu-west-1"');
  if (group.trafficDialPercentage !== undefined) {
    v.numberInRange('trafficDialPercentage', group.trafficDialPercentage, { min: 0, max: 100 }, 'Global Accelerator traffic dial');
  }
  const lb = group.loadBalancer;
  if (typeof lb === 'string') {
    if (Token.isUnresolved(lb)) return;
    let parsed: { service: string; region?: string; resource: string; resourceName?: string } | undefined;
    try {
      parsed = Arn.split(lb, ArnFormat.SLASH_RESOURCE_NAME);
    } catch {
      parsed = undefined;
    }
    const isAlb = parsed?.service === 'elasticloadbalancing' && parsed.resource === 'loadbalancer'
      && (parsed.resourceName ?? '').startsWith('app/');
    v.check(isAlb, 'loadBalancer', lb,
      'the ARN of an Application Load Balancer (arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)');
    if (isAlb && parsed?.region && !Token.isUnresolved(group.region)) {
      v.check(parsed.region === group.region, 'region', group.region,
        `the load balancer's region (${parsed.region}, from its ARN)`);
    }
  } else {
    const lbRegion = lb.env.region;
    if (!Token.isUnresolved(lbRegion) && !Token.isUnresolved(group.region)) {
      v.check(lbRegion === group.region, 'region', group.region, `the load balancer's region (${lbRegion})`);
    }
  }
}
