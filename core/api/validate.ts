/** Validates a call's raw input against its zod schema; failures become InputError naming the field. */
import type { z } from 'zod';
import { InputError } from '../errors';
import { API, type ApiCallName, type ApiParsedInput } from './contract';

function describeIssue(issue: z.core.$ZodIssue): { field: string; text: string }[] {
  const at = (extra: string[] = []) => [...issue.path.map(String), ...extra].join('.') || '(payload)';
  // An unknown field is named as the field itself, so every message starts with the field it is about.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ field: at([k]), text: `${at([k])}: unknown field` }));
  return [{ field: at(), text: `${at()}: ${issue.message}` }];
}

export function validateInput<K extends ApiCallName>(name: K, raw: unknown): ApiParsedInput<K> {
  // JSON bodies may be empty and IPC calls without arguments send undefined: both mean "no input".
  const parsed = API[name].input.safeParse(raw === null ? undefined : raw);
  if (parsed.success) return parsed.data as ApiParsedInput<K>;
  const issues = parsed.error.issues.flatMap(describeIssue);
  const first = issues[0];
  throw new InputError(`Invalid input for ${name}: ${issues.map((i) => i.text).join('; ')}`, { field: first?.field });
}
