// The client height or width of an element, kept up to date by a ResizeObserver: what virtualised
// lists and the timeline need to know how much to draw.

import { useEffect, useState, type DependencyList, type RefObject } from 'react';

/**
 * `initial` until the element is there; `deps`: when the element may have been replaced (it is
 * rendered conditionally), so the observer moves to the new one.
 */
export function useClientSize(ref: RefObject<HTMLElement | null>, dimension: 'height' | 'width', initial: number, deps: DependencyList): number {
  const [size, setSize] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = (): void => setSize(dimension === 'height' ? el.clientHeight : el.clientWidth);
    const ro = new ResizeObserver(read);
    ro.observe(el);
    read();
    return () => ro.disconnect();
  }, deps);
  return size;
}
