/**
 * jsdom has no layout. The execution list's scroll container (.exec-scroll) is given the size a
 * browser would give it (800 x 520 px: 20 rows of 26 px), its scrollHeight is its canvas height,
 * and element.scrollTo() moves scrollTop and fires 'scroll' as a browser does. Nothing else is
 * faked: the virtualizer computes its range from these numbers as it would on screen.
 */
export const VIEWPORT_HEIGHT = 520;

function isScrollContainer(element: Element): boolean {
  return element.classList.contains('exec-scroll');
}

Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return isScrollContainer(this) ? VIEWPORT_HEIGHT : 0;
  },
});

Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get(this: HTMLElement) {
    return isScrollContainer(this) ? 800 : 0;
  },
});

Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
  configurable: true,
  get(this: HTMLElement) {
    const canvas = this.firstElementChild;
    return isScrollContainer(this) && canvas instanceof HTMLElement ? Number.parseFloat(canvas.style.height) || 0 : 0;
  },
});

Element.prototype.scrollTo = function scrollTo(this: Element, options?: ScrollToOptions | number, y?: number) {
  const top = typeof options === 'number' ? (y ?? 0) : (options?.top ?? this.scrollTop);
  const max = Math.max(0, this.scrollHeight - this.clientHeight);
  this.scrollTop = Math.min(max, Math.max(0, top));
  this.dispatchEvent(new Event('scroll'));
} as Element['scrollTo'];

/** Scrolls the list as a user would (sets scrollTop, fires 'scroll'). */
export function scrollListTo(element: Element, top: number): void {
  element.scrollTo({ top });
}
