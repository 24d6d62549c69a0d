// Number formatting shared by the panels.

export const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
export const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
export const hexAddr = (n: number): string => `0x${hex8(n)}`;
export const grouped = (n: number): string => n.toLocaleString('en-US');

/** Guest time at `icount` as seconds with nanosecond digits ("0.000025246 s"). */
export function guestTime(icount: number, perSecond: number): string {
  const s = icount / perSecond;
  return `${s.toFixed(9)} s`;
}
