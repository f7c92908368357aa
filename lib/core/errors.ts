/**
 * One error type for every invalid setting in the library.
 *
 * Problems are collected, then thrown together: a user who got three settings
 * wrong reads three lines in one run instead of fixing them one synth at a time.
 * Each line names the prop, the value given and what is allowed; the error names
 * the construct path when one is known.
 */

/** One invalid setting. */
export interface ValidationProblem {
  /** The prop as the user wrote it, dotted for nested props (`healthCheck.intervalSeconds`). */
  readonly prop: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What is allowed, in words (`an integer from 5 to 300`), with its source where it is a cloud limit. */
  readonly allowed: string;
}

/** Renders a value for a message: strings quoted, objects as JSON, undefined as such. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

/** Thrown at synth time when one or more settings are invalid. */
export class McpHaValidationError extends Error {
  public readonly problems: ValidationProblem[];
  public readonly constructPath: string | undefined;

  constructor(problems: ValidationProblem[], constructPath?: string) {
    const where = constructPath ? `${constructPath}: ` : '';
    const count = problems.length === 1 ? '1 invalid setting' : `${problems.length} invalid settings`;
    const lines = problems.map((p) => `  - ${p.prop}: got ${formatValue(p.value)}; allowed: ${p.allowed}`);
    super(`${where}${count}\n${lines.join('\n')}`);
    this.name = 'McpHaValidationError';
    this.problems = problems;
    this.constructPath = constructPath;
  }
}

/**
 * True for values a deploy tool resolves later (CDK and CDKTF tokens), which
 * synth-time validation must skip. Core cannot import either library, so it
 * recognises their encodings: `${Token[...]}` / `${TfToken[...]}` strings and
 * the large negative doubles both use to encode numeric tokens.
 */
export function looksUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${Token[') || value.includes('${TfToken[');
  if (typeof value === 'number') return value <= -1e289 && value > -2e289;
  if (Array.isArray(value)) return value.some(looksUnresolved);
  return false;
}

/** Where a `Validator`'s problems are reported: the construct path and the prop prefix of every message. */
export interface ValidatorOptions {
  /** Path of the construct being validated, included in the error. @default - the message names no construct */
  readonly constructPath?: string;
  /**
   * Prefix for every prop name (`healthCheck` makes `intervalSeconds` read `healthCheck.intervalSeconds`).
   * @default - prop names are reported as given
   */
  readonly propPrefix?: string;
  /** Decides which values are unresolved tokens and so skipped. @default looksUnresolved */
  readonly isUnresolved?: (value: unknown) => boolean;
}

/** A numeric range, both ends inclusive. */
export interface NumberRange {
  /** The smallest allowed value (inclusive). */
  readonly min: number;
  /** The largest allowed value (inclusive). */
  readonly max: number;
}

/**
 * Collects problems; `throwIfInvalid()` throws them all as one McpHaValidationError.
 * Every check skips unresolved tokens.
 */
export class Validator {
  private readonly found: ValidationProblem[];
  private readonly isUnresolved: (value: unknown) => boolean;

  /**
   * @param options where the problems belong
   * @param sink a problem list shared with a parent validator (used by `nested`)
   */
  constructor(
    private readonly options: ValidatorOptions = {},
    sink?: ValidationProblem[],
  ) {
    this.isUnresolved = options.isUnresolved ?? looksUnresolved;
    this.found = sink ?? [];
  }

  /** Problems found so far. */
  public get problems(): ValidationProblem[] {
    return [...this.found];
  }

  public get valid(): boolean {
    return this.found.length === 0;
  }

  /** A validator for a nested struct that reports into this one. */
  public nested(prefix: string): Validator {
    return new Validator({ ...this.options, propPrefix: this.qualify(prefix) }, this.found);
  }

  /** Records a problem unconditionally. */
  public add(prop: string, value: unknown, allowed: string): this {
    this.found.push({ prop: this.qualify(prop), value, allowed });
    return this;
  }

  /** Records a problem when `ok` is false (skipped when the value is an unresolved token). */
  public check(ok: boolean, prop: string, value: unknown, allowed: string): this {
    if (!ok && !this.isUnresolved(value)) this.add(prop, value, allowed);
    return this;
  }

  /**
   * Records a problem when a comparison of two values fails, unless either is an
   * unresolved token (a comparison with a value the framework resolves later
   * means nothing now; the problem is reported against `value`).
   */
  public checkPair(ok: boolean, prop: string, value: unknown, other: unknown, allowed: string): this {
    if (!ok && !this.isUnresolved(value) && !this.isUnresolved(other)) this.add(prop, value, allowed);
    return this;
  }

  /** `value` must be a whole number within `range`. `source` names the documented limit. */
  public integerInRange(prop: string, value: number | undefined, range: NumberRange, source?: string): this {
    if (value === undefined) return this;
    const ok = Number.isInteger(value) && value >= range.min && value <= range.max;
    return this.check(ok, prop, value, `an integer from ${range.min} to ${range.max}${source ? ` (${source})` : ''}`);
  }

  /** `value` must be a finite number within `range`. */
  public numberInRange(prop: string, value: number | undefined, range: NumberRange, source?: string): this {
    if (value === undefined) return this;
    const ok = Number.isFinite(value) && value >= range.min && value <= range.max;
    return this.check(ok, prop, value, `a number from ${range.min} to ${range.max}${source ? ` (${source})` : ''}`);
  }

  /** `value` must be one of `allowed`. */
  public oneOf<T>(prop: string, value: T | undefined, allowed: readonly T[], source?: string): this {
    if (value === undefined) return this;
    return this.check(
      allowed.includes(value),
      prop,
      value,
      `one of ${allowed.map(formatValue).join(', ')}${source ? ` (${source})` : ''}`,
    );
  }

  /** Throws every problem found, together, if there is any. */
  public throwIfInvalid(): void {
    if (this.found.length > 0) throw new McpHaValidationError([...this.found], this.options.constructPath);
  }

  private qualify(prop: string): string {
    const prefix = this.options.propPrefix;
    if (!prefix) return prop;
    if (prop === '') return prefix;
    return prop.startsWith('[') ? `${prefix}${prop}` : `${prefix}.${prop}`;
  }
}
