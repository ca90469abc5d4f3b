// A JSON value that is an object with keys (not null, not a list): what readers of saved answers and
// backend answers check before they look inside.
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
