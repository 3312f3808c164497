/**
 * Lossless conversions of attribute codes:
 *  - AttributeCodes ⇄ the dataset's tags ({ 'Torso-Color': 8, … }, all 16, -1 = unknown);
 *  - AttributeCodes ⇄ `slot=value` text ("torsoColour=red legType=long_pants").
 *
 * Canonical AttributeCodes omit unknowns: every function here returns codes without -1 entries, so
 * round trips compare equal with plain deep equality.
 */
import { InputError, QueryError } from '../errors';
import {
  ATTRIBUTES, ATTRIBUTE_KEYS, UNKNOWN, attributeByTag, isValidCode, type AttributeCodes, type AttributeKey,
} from './schema';

/** Drops unknown (-1) entries; throws InputError on codes outside the schema. */
export function canonicalCodes(codes: AttributeCodes): AttributeCodes {
  const out: AttributeCodes = {};
  for (const key of ATTRIBUTE_KEYS) {
    const code = codes[key];
    if (code === undefined || code === UNKNOWN) continue;
    if (!isValidCode(key, code)) throw new InputError(`${key}: code ${code} is outside the schema`, { field: key });
    out[key] = code;
  }
  for (const k of Object.keys(codes)) {
    if (!(ATTRIBUTE_KEYS as readonly string[]).includes(k)) throw new InputError(`unknown attribute "${k}"`, { field: k });
  }
  return out;
}

/** Problem with one dataset tag/code pair, or undefined when it is valid. */
export function datasetCodeProblem(tag: string, code: number): string | undefined {
  const def = attributeByTag(tag);
  if (!def) return `unknown attribute tag <${tag}>`;
  if (!Number.isInteger(code)) return `<${tag}> value ${code} is not an integer`;
  if (!isValidCode(def.key, code)) return `<${tag}> code ${code} is out of range (-1 or 0..${def.values.length - 1})`;
  return undefined;
}

/** All 16 dataset tags in slot order with their codes, -1 where unknown. */
export function toDatasetCodes(codes: AttributeCodes): Record<string, number> {
  const out: Record<string, number> = {};
  for (const def of ATTRIBUTES) out[def.tag] = codes[def.key] ?? UNKNOWN;
  return out;
}

/** Dataset tags → canonical AttributeCodes. Missing tags are unknown; bad tags or codes throw InputError. */
export function fromDatasetCodes(tags: Readonly<Record<string, number>>): AttributeCodes {
  const out: AttributeCodes = {};
  for (const [tag, code] of Object.entries(tags)) {
    const problem = datasetCodeProblem(tag, code);
    if (problem) throw new InputError(problem, { field: tag });
    if (code !== UNKNOWN) out[attributeByTag(tag)!.key] = code;
  }
  return out;
}

/** Normal form of a value name for comparison: "Long_Sleeve", "long-sleeve" and "long sleeve" are equal. */
function normValue(s: string): string {
  return s.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** Value name as written in slot text: display name with spaces as underscores ("long_sleeve", "15-35"). */
export function slotValueName(key: AttributeKey, code: number): string {
  const def = ATTRIBUTES.find((a) => a.key === key)!;
  return code === UNKNOWN ? 'unknown' : def.values[code]!.replace(/ /g, '_');
}

/** Known codes as `key=value` items in slot order, e.g. "gender=female torsoColour=red". */
export function formatSlotText(codes: AttributeCodes): string {
  return ATTRIBUTE_KEYS.filter((k) => codes[k] !== undefined && codes[k] !== UNKNOWN)
    .map((k) => `${k}=${slotValueName(k, codes[k]!)}`)
    .join(' ');
}

/** Finds the attribute named by a slot key ("torsoColour", case-insensitive) or dataset tag ("Torso-Color"). */
export function attributeForName(name: string) {
  const lower = name.trim().toLowerCase();
  return ATTRIBUTES.find((a) => a.key.toLowerCase() === lower || a.tag.toLowerCase() === lower);
}

/** Code for a value written as a code ("8", "-1"), a display name ("red", "long_sleeve") or "unknown". */
export function codeForValue(key: AttributeKey, value: string): number | undefined {
  const def = ATTRIBUTES.find((a) => a.key === key)!;
  const v = value.trim();
  if (/^-?\d+$/.test(v)) {
    const code = Number(v);
    return isValidCode(key, code) ? code : undefined;
  }
  const n = normValue(v);
  if (n === 'unknown' || n === '?') return UNKNOWN;
  const i = def.values.findIndex((name) => normValue(name) === n);
  return i >= 0 ? i : undefined;
}

export interface SlotItem { text: string; start: number; end: number; key: AttributeKey; code: number }

/**
 * Parses `key=value` items separated by spaces or commas. Keys are slot keys or dataset tags; values
 * are codes, display names (spaces as `_` or `-`, or the whole value in double quotes) or "unknown".
 * Throws QueryError naming the offending item.
 */
export function parseSlotItems(text: string): SlotItem[] {
  const items: SlotItem[] = [];
  const re = /([^\s,=]+)\s*=\s*("([^"]*)"|[^\s,]*)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const seen = new Map<AttributeKey, number>();
  while ((m = re.exec(text)) !== null) {
    const between = text.slice(last, m.index);
    if (/[^\s,]/.test(between)) throw new QueryError(`structured query: "${between.trim()}" is not a slot=value item`, { field: between.trim() });
    last = m.index + m[0].length;
    const [whole, name, rawValue, quoted] = m as unknown as [string, string, string, string | undefined];
    const def = attributeForName(name);
    if (!def) throw new QueryError(`structured query: unknown attribute "${name}" in "${whole}"`, { field: name });
    const value = quoted ?? rawValue;
    if (value === '') throw new QueryError(`structured query: "${whole}" has no value`, { field: def.key });
    const code = codeForValue(def.key, value);
    if (code === undefined) {
      const allowed = def.values.map((v, i) => `${i} ${v.replace(/ /g, '_')}`).join(', ');
      throw new QueryError(`structured query: "${value}" is not a value of ${def.key} (allowed: ${allowed}, -1 unknown; write spaces as _ or quote the value)`, { field: def.key });
    }
    const before = seen.get(def.key);
    if (before !== undefined && before !== code) {
      throw new QueryError(`structured query: ${def.key} is given twice with different values`, { field: def.key });
    }
    seen.set(def.key, code);
    items.push({ text: whole, start: m.index, end: m.index + whole.length, key: def.key, code });
  }
  const rest = text.slice(last);
  if (/[^\s,]/.test(rest)) throw new QueryError(`structured query: "${rest.trim()}" is not a slot=value item`, { field: rest.trim() });
  return items;
}

/** `slot=value` text → canonical AttributeCodes (unknown values dropped). */
export function parseSlotText(text: string): AttributeCodes {
  const out: AttributeCodes = {};
  for (const item of parseSlotItems(text)) if (item.code !== UNKNOWN) out[item.key] = item.code;
  return out;
}
