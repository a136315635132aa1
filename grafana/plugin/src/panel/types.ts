export interface KernelViewOptions {
  rowHeight: number;
  showArrows: boolean;
  showEvents: boolean;
  showLegend: boolean;
  /** Link types to draw, comma-separated; empty for all. */
  arrowTypes: string;
}

export const DEFAULT_OPTIONS: KernelViewOptions = {
  rowHeight: 18,
  showArrows: true,
  showEvents: true,
  showLegend: true,
  arrowTypes: '',
};
