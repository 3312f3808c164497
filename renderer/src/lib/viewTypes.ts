/** Props shapes shared by components and screens (renderer-only view models). */

export interface AttributeFormDef {
  key: string; label: string; group: string; values: readonly string[]; isColour?: boolean;
  /** Colour attributes: `#rrggbb` per value (from query.vocabulary). */
  swatches?: readonly (string | undefined)[];
}

export interface TimelineMark { id: number; startS: number; endS: number; score: number; decision?: 'confirm' | 'reject' | 'unsure' }

export interface Series { name: string; points: ReadonlyArray<readonly [number, number]> }

export type Box = readonly [number, number, number, number];
