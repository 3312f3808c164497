/** Placeholder: the job runner (being written). */
export interface JobRunner {
  readonly dataDir: string;
  /** The running or resumable job of an evidence item, if any. */
  activeJobFor(evidenceId: number): string | null;
}
