// Pictures as pure functions of analysis results: SVG strings out, no network, no browser.
// Used by the HTML report (agent/html.ts) and `queryless call --format svg|png`; analysis/ never imports them.
export { flameGraphSvg, type FlameOptions, type FlameLabels } from './flamegraph.js';
export { timeSeriesSvg, type Panel, type Series, type ChartOptions } from './timeseries.js';
export { heatmapSvg, type HeatSample, type HeatmapOptions } from './heatmap.js';
export { waterfallSvg, type WaterfallOptions, type WaterfallLabels } from './waterfall.js';
export { esc as escapeXml } from './svg.js';
