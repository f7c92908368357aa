/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Simulates what CloudWatch and Auto Scaling do with a rendered alarm and the step scaling policy it
 * triggers: evaluates the alarm's metric-math expression for given metric values, decides whether the
 * alarm breaches, and returns the step adjustment Auto Scaling would apply (or undefined: "No step
 * adjustment found"). Used to test failover scaling as behaviour, not as template text.
 */

type Values = Record<string, number>;

/** Evaluates the subset of CloudWatch metric math the library renders: IF, AND, OR, MIN([..]), comparisons, + - * /. */
export function evaluateMetricMath(expression: string, values: Values): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|[-+*/(),<>[\]]/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${expression} at token ${i}`);
  };
  const primary = (): number => {
    const t = next();
    if (t === '(') { const v = or(); expect(')'); return v; }
    if (t === '-') return -primary();
    if (t === 'IF') {
      expect('('); const c = or(); expect(','); const a = or(); expect(','); const b = or(); expect(')');
      return c !== 0 ? a : b;
    }
    if (t === 'MIN' || t === 'MAX') {
      expect('('); expect('[');
      const items = [or()];
      while (peek() === ',') { next(); items.push(or()); }
      expect(']'); expect(')');
      return t === 'MIN' ? Math.min(...items) : Math.max(...items);
    }
    if (/^\d/.test(t)) return Number(t);
    if (t in values) return values[t];
    throw new Error(`no value for ${t} in ${expression}`);
  };
  const mul = (): number => {
    let v = primary();
    while (peek() === '*' || peek() === '/') v = next() === '*' ? v * primary() : v / primary();
    return v;
  };
  const add = (): number => {
    let v = mul();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + mul() : v - mul();
    return v;
  };
  const cmp = (): number => {
    const a = add();
    const op = peek();
    if (!['<', '>', '<=', '>=', '==', '!='].includes(op)) return a;
    next();
    const b = add();
    const r = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : op === '>=' ? a >= b : op === '==' ? a === b : a !== b;
    return r ? 1 : 0;
  };
  const and = (): number => {
    let v = cmp();
    while (peek() === 'AND') { next(); const b = cmp(); v = v !== 0 && b !== 0 ? 1 : 0; }
    return v;
  };
  const or = (): number => {
    let v = and();
    while (peek() === 'OR') { next(); const b = and(); v = v !== 0 || b !== 0 ? 1 : 0; }
    return v;
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`unparsed tail in ${expression}`);
  return result;
}

/** The alarm's return-data expression, with its metric ids (CloudFormation `Metrics`). */
export function alarmExpression(alarm: { [key: string]: any }): string {
  const metrics = alarm.Properties.Metrics as { Expression?: string; ReturnData?: boolean }[] | undefined;
  const ret = metrics?.find((m) => m.ReturnData !== false && m.Expression);
  if (!ret?.Expression) throw new Error('the alarm has no metric-math expression');
  return ret.Expression;
}

/** True when `value` breaches the alarm's threshold in its operator's direction. */
export function breaches(alarm: { [key: string]: any }, value: number): boolean {
  const threshold = alarm.Properties.Threshold as number;
  switch (alarm.Properties.ComparisonOperator) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`operator ${String(alarm.Properties.ComparisonOperator)}`);
  }
}

interface Step { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }

/**
 * What Auto Scaling applies for a breaching `value`: the step whose [lower, upper) interval (relative to
 * the threshold) holds value - threshold; undefined when none does.
 */
export function stepFor(alarm: { [key: string]: any }, policy: { [key: string]: any }, value: number): number | undefined {
  if (!breaches(alarm, value)) return undefined;
  const diff = value - (alarm.Properties.Threshold as number);
  const steps = policy.Properties.StepAdjustments as Step[];
  const hit = steps.find((s) => (s.MetricIntervalLowerBound ?? -Infinity) <= diff && diff < (s.MetricIntervalUpperBound ?? Infinity));
  return hit?.ScalingAdjustment;
}
