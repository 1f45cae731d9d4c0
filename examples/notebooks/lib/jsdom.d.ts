// The few members of jsdom the chart helper and the test use (jsdom ships no types, and @types/jsdom is
// not a dependency here; the repository compiles without the DOM library).
declare module "jsdom" {
  interface ParsedElement {
    readonly textContent: string | null
    readonly outerHTML: string
    getAttribute(name: string): string | null
    querySelector(selectors: string): ParsedElement | null
    querySelectorAll(selectors: string): Iterable<ParsedElement> & { readonly length: number }
  }
  export class JSDOM {
    constructor(html?: string)
    readonly window: {
      readonly document: ParsedElement & { createElement(tag: string): ParsedElement }
      close(): void
    }
  }
}
