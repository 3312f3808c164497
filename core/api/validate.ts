/** Validates a call's raw input against its zod schema; failures become InputError naming the field. */
import type { z } from 'zod';
import { InputError } from '../errors';
import { API, type ApiCallName, type ApiParsedInput } from './contract';

function describeIssue(issue: z.core.$ZodIssue): { field: string; text: string } {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
  return { field, text: `${field}: ${issue.message}` };
}

export function validateInput<K extends ApiCallName>(name: K, raw: unknown): ApiParsedInput<K> {
  // JSON bodies may be empty and IPC calls without arguments send undefined: both mean "no input".
  const parsed = API[name].input.safeParse(raw === null ? undefined : raw);
  if (parsed.success) return parsed.data as ApiParsedInput<K>;
  const issues = parsed.error.issues.map(describeIssue);
  const first = issues[0];
  throw new InputError(`Invalid input for ${name}: ${issues.map((i) => i.text).join('; ')}`, { field: first?.field });
}
