// Which tools have a picture. Apart from tool-pictures.ts so `queryless call` can name them in its help
// and checks without loading the picture makers and renderers (they load only when a picture is asked for).

/** Tools that have a picture, and what it is. */
export const PICTURE_TOOLS: Record<string, string> = {
  get_trace: 'trace waterfall with the critical path',
  hot_functions: 'flame graph, diff-coloured vs the baseline, hottest user function outlined',
  service_red: 'rate / errors / duration over time of the service (or the top-ranked one)',
  explore_metric: 'the metric query over the baseline and the window',
};
