import { testApp } from '../support/app';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { McpScheduledScaling, McpScheduledScalingProps } from '../../lib/aws/scheduled-scaling';
import { ScalingSchedule, WEEKDAYS } from '../../lib/core/schedule';
import { AvailabilityTier } from '../../lib/core/tiers';

const ENV = { account: '111111111111', region: 'us-east-1' };
const HOLIDAYS = [{ month: 12, day: 25 }, { month: 1, day: 1 }];

function group(stack: Stack, id: string, vpc: ec2.IVpc): autoscaling.AutoScalingGroup {
  return new autoscaling.AutoScalingGroup(stack, id, {
    vpc,
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    minCapacity: 3,
    maxCapacity: 10,
  });
}

/** A UTC schedule with `slots` pairs of 10-minute windows a day: 2 x slots weekly transitions. */
function busySchedule(slots: number): ScalingSchedule {
  const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const a = Array.from({ length: slots }, (_, k) => ({ weekdays: [...WEEKDAYS], start: hhmm(20 * k), end: hhmm(20 * k + 10) }));
  const b = Array.from({ length: slots - 1 }, (_, k) => ({ weekdays: [...WEEKDAYS], start: hhmm(20 * k + 10), end: hhmm(20 * k + 20) }));
  b.push({ weekdays: [...WEEKDAYS], start: hhmm(20 * (slots - 1) + 10), end: '24:00' });
  return ScalingSchedule.of({
    timeZone: 'UTC',
    windows: [
      { name: 'a', times: a, minPercent: 100, maxPercent: 100 },
      { name: 'b', times: b, minPercent: 50, maxPercent: 100 },
    ],
  });
}

// GIVEN the guide's schedule (New York, two holidays) on a group, baseline 4, default tier
const app = testApp();
const stack = new Stack(app, 'Test', { env: ENV });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
const asg = group(stack, 'Asg', vpc);
const scaling = new McpScheduledScaling(stack, 'Schedule', {
  autoScalingGroup: asg,
  schedule: ScalingSchedule.guidePreset('America/New_York', { holidays: HOLIDAYS }),
  baseline: 4,
});
// AND overrides on a second group: explicit floor 1 / STANDARD tier
const asg2 = group(stack, 'Asg2', vpc);
const lowFloor = new McpScheduledScaling(stack, 'LowFloor', {
  autoScalingGroup: asg2,
  schedule: ScalingSchedule.guidePreset('Europe/Berlin'),
  baseline: 2,
  floor: 1,
});
const asg3 = group(stack, 'Asg3', vpc);
const standard = new McpScheduledScaling(stack, 'Standard', {
  autoScalingGroup: asg3,
  schedule: ScalingSchedule.guidePreset('UTC'),
  baseline: 1,
  tier: AvailabilityTier.STANDARD,
});
const template = Template.fromStack(stack);

// AND the default configuration alone (an existing group), for the snapshot
const snapStack = new Stack(testApp(), 'Snap', { env: ENV });
new McpScheduledScaling(snapStack, 'Schedule', {
  autoScalingGroup: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(snapStack, 'Asg', 'mcp-fleet'),
  schedule: ScalingSchedule.guidePreset('America/New_York', { holidays: HOLIDAYS }),
  baseline: 4,
});

/** The scheduled actions of one McpScheduledScaling, by logical ID prefix. */
function actionsOf(prefix: string): Record<string, unknown> {
  const all = template.findResources('AWS::AutoScaling::ScheduledAction');
  return Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith(prefix)));
}

describe('McpScheduledScaling defaults', () => {
  test('snapshot', () => {
    expect(Template.fromStack(snapStack).toJSON()).toMatchSnapshot();
  });

  test('one action per transition, keyed by transition name, with stable PascalCase IDs', () => {
    expect(Object.keys(scaling.actions)).toEqual(['business-hours-0700', 'off-hours-1900', 'weekend-1900', 'holiday-0101', 'holiday-1225']);
    expect(scaling.actions['business-hours-0700'].node.id).toBe('BusinessHours0700');
    expect(Object.keys(actionsOf('Schedule'))).toHaveLength(5);
  });

  test('weekly actions: explicit-minute cron on the weekdays, IANA time zone, min/max from capacityFor(baseline, tier floor)', () => {
    // business hours: 150-200 % of 4 = 6-8
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', {
      AutoScalingGroupName: { Ref: Match.stringLikeRegexp('^AsgASG') },
      Recurrence: '0 7 * * 1-5',
      TimeZone: 'America/New_York',
      MinSize: 6,
      MaxSize: 8,
    });
    // off-hours: 80-100 % of 4 = 4-4 (ceil 3.2)
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 19 * * 1-4', TimeZone: 'America/New_York', MinSize: 4, MaxSize: 4 });
    // weekend: 60-80 % of 4 = ceil(2.4)=3 .. ceil(3.2)=4, the floor 3 (BUSINESS_CRITICAL minCapacity) holds
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 19 * * 5', MinSize: 3, MaxSize: 4 });
    expect(scaling.floor).toBe(3);
  });

  test('holidays recur every year by month and day; the floor lifts 40-60 % of 4 to 3-3', () => {
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 0 25 12 *', TimeZone: 'America/New_York', MinSize: 3, MaxSize: 3 });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 0 1 1 *', MinSize: 3, MaxSize: 3 });
  });

  test('no action sets a desired capacity, a start time or an end time; every one has a time zone and a numeric minute', () => {
    const all = template.findResources('AWS::AutoScaling::ScheduledAction');
    expect(Object.keys(all).length).toBeGreaterThan(0);
    for (const action of Object.values(all)) {
      const p = action.Properties as Record<string, unknown>;
      expect(p.DesiredCapacity).toBeUndefined();
      expect(p.StartTime).toBeUndefined();
      expect(p.EndTime).toBeUndefined();
      expect(typeof p.TimeZone).toBe('string');
      expect(String(p.Recurrence)).toMatch(/^\d{1,2} \d{1,2} \S+ \S+ \S+$/);
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('StartTime');
  });

  test('exposes transitions and capacities', () => {
    expect(scaling.transitions.map((t) => t.name)).toEqual(Object.keys(scaling.actions));
    expect(scaling.capacities.find((c) => c.windowName === 'business-hours')).toMatchObject({ minCapacity: 6, maxCapacity: 8 });
    // Every exposed action is rendered on the group it was given, at its window's percentages of the baseline
    // (rounded up, at least the tier floor 3): the capacity the schedule promises is the one the group gets.
    const groupId = stack.getLogicalId(asg.node.defaultChild as CfnElement);
    const resources = template.toJSON().Resources;
    for (const t of scaling.transitions) {
      const action = scaling.actions[t.name];
      const p = resources[stack.getLogicalId(action.node.defaultChild as CfnElement)].Properties;
      const min = Math.max(3, Math.ceil((t.minPercent * 4) / 100));
      expect({ name: t.name, group: p.AutoScalingGroupName, min: p.MinSize, max: p.MaxSize })
        .toEqual({ name: t.name, group: { Ref: groupId }, min, max: Math.max(min, Math.ceil((t.maxPercent * 4) / 100)) });
    }
  });

  test('cdk-nag AwsSolutions: no finding on the scheduled actions', () => {
    // The group and VPC are test fixtures; the construct's own subtree is checked.
    const report = new AwsSolutionsChecks(app).validateScope(scaling);
    expect(report.violations).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA and PCI DSS packs: no finding', () => {
    for (const pack of [new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)]) {
      expect(pack.validateScope(scaling).violations).toEqual([]);
    }
  });
});

describe('McpScheduledScaling overrides', () => {
  test('an explicit floor replaces the tier minimum', () => {
    expect(lowFloor.floor).toBe(1);
    // weekend 60-80 % of 2: ceil(1.2)=2 .. ceil(1.6)=2; no action for holidays (none given)
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 19 * * 5', TimeZone: 'Europe/Berlin', MinSize: 2, MaxSize: 2 });
    expect(Object.keys(lowFloor.actions)).toEqual(['business-hours-0700', 'off-hours-1900', 'weekend-1900']);
  });

  test('the tier sets the default floor (STANDARD: 2)', () => {
    expect(standard.floor).toBe(2);
    // business hours 150-200 % of 1 = 2-2; weekend 60-80 % of 1 = 1-1 lifted to 2-2
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 19 * * 5', TimeZone: 'UTC', MinSize: 2, MaxSize: 2 });
  });

  test('a busy schedule of 120 actions on its own group is accepted', () => {
    const s = new Stack(testApp(), 'Ok', { env: ENV });
    const g = group(s, 'Asg', new ec2.Vpc(s, 'Vpc', { maxAzs: 2 }));
    const busy = new McpScheduledScaling(s, 'Busy', { autoScalingGroup: g, schedule: busySchedule(60), baseline: 4 });
    expect(Object.keys(busy.actions)).toHaveLength(120);
    expect(() => Template.fromStack(s)).not.toThrow();
  });
});

describe('McpScheduledScaling bad input', () => {
  function build(props: Partial<McpScheduledScalingProps>): () => McpScheduledScaling {
    return () => {
      const s = new Stack(testApp(), 'Bad', { env: ENV });
      const g = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(s, 'Asg', 'existing-group');
      return new McpScheduledScaling(s, 'Schedule', { autoScalingGroup: g, schedule: ScalingSchedule.guidePreset(), baseline: 4, ...props });
    };
  }

  test('baseline below 1', () => {
    expect(build({ baseline: 0 })).toThrow(/Bad\/Schedule: 1 invalid setting\n {2}- baseline: got 0; allowed: an integer from 1 to 100000 \(instances at 100 % of the schedule\)/);
  });

  test('a fractional baseline and a negative floor, together', () => {
    expect(build({ baseline: 2.5, floor: -1 })).toThrow(/2 invalid settings\n {2}- baseline: got 2\.5; allowed: an integer from 1 to 100000.*\n {2}- floor: got -1; allowed: an integer from 0 to 100000/);
  });

  test('a schedule that is not a ScalingSchedule', () => {
    const notASchedule = { transitions: () => [] } as unknown as ScalingSchedule;
    expect(build({ schedule: notASchedule })).toThrow(/schedule: got \{\}; allowed: a ScalingSchedule \(ScalingSchedule\.of\(\.\.\.\) or ScalingSchedule\.guidePreset\(\.\.\.\)\)/);
  });

  test('an invalid tier override', () => {
    expect(build({ tierOverrides: { minCapacity: 1 } })).toThrow(/tierOverrides\.minCapacity: got 1; allowed: a whole number of at least minZones \(3\)/);
  });

  test('more than 125 scheduled actions on one group (two schedules of 70), at synth', () => {
    // GIVEN two schedules of 70 actions each on the same group
    const s = new Stack(testApp(), 'Busy', { env: ENV });
    const g = group(s, 'Asg', new ec2.Vpc(s, 'Vpc', { maxAzs: 2 }));
    new McpScheduledScaling(s, 'First', { autoScalingGroup: g, schedule: busySchedule(35), baseline: 4 });
    new McpScheduledScaling(s, 'Second', { autoScalingGroup: g, schedule: busySchedule(35), baseline: 4 });
    // WHEN synthesized THEN the error names the count, the limit and the documentation
    expect(() => Template.fromStack(s)).toThrow(
      /Busy\/First: 1 invalid setting\n {2}- schedule: got "140 scheduled actions on the group \(70 from this schedule\)"; allowed: at most 125 scheduled actions per Auto Scaling group, counting every schedule applied to it \(https:\/\/docs\.aws\.amazon\.com\/autoscaling\/ec2\/userguide\/ec2-auto-scaling-quotas\.html\)/,
    );
  });

  test("the group's own scaleOnSchedule actions count toward the limit", () => {
    const s = new Stack(testApp(), 'Mixed', { env: ENV });
    const g = group(s, 'Asg', new ec2.Vpc(s, 'Vpc', { maxAzs: 2 }));
    for (let i = 0; i < 6; i++) g.scaleOnSchedule(`Own${i}`, { schedule: autoscaling.Schedule.cron({ minute: String(i), hour: '3' }), minCapacity: 3 });
    new McpScheduledScaling(s, 'Busy', { autoScalingGroup: g, schedule: busySchedule(60), baseline: 4 });
    expect(() => Template.fromStack(s)).toThrow(/schedule: got "126 scheduled actions on the group \(120 from this schedule\)"; allowed: at most 125/);
  });
});
