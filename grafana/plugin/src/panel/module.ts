import { PanelPlugin } from '@grafana/data';
import { KernelViewPanel } from './KernelViewPanel';
import { DEFAULT_OPTIONS, type KernelViewOptions } from './types';

export const plugin = new PanelPlugin<KernelViewOptions>(KernelViewPanel).setPanelOptions((b) =>
  b
    .addNumberInput({ path: 'rowHeight', name: 'Row height', description: 'pixels per row', defaultValue: DEFAULT_OPTIONS.rowHeight, settings: { min: 6, max: 60, integer: true } })
    .addBooleanSwitch({ path: 'showArrows', name: 'Show arrows', description: 'links between rows (CPU hand-offs, wake-ups)', defaultValue: DEFAULT_OPTIONS.showArrows })
    .addTextInput({ path: 'arrowTypes', name: 'Arrow types', description: 'comma-separated link types to draw; empty draws all', defaultValue: DEFAULT_OPTIONS.arrowTypes })
    .addBooleanSwitch({ path: 'showEvents', name: 'Show events', description: 'instant events as marks on their row', defaultValue: DEFAULT_OPTIONS.showEvents })
    .addBooleanSwitch({ path: 'showLegend', name: 'Show legend', description: 'the states\' colours', defaultValue: DEFAULT_OPTIONS.showLegend })
);
