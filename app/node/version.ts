// The version recorded in recordings' headers.
export const HINDSIGHT_VERSION = '0.1.0';
