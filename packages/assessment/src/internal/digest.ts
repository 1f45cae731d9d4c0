import { createHash } from "node:crypto"

const repeat = 0
const numberTag = 1
const nullTag = 2
const stringTag = 3
const longLength = 0xffff

/**
 * Writes a document's canonical binary form and digests it (lower-case hex SHA-256).
 *
 * A document is a sequence of records (`record()` starts one), each a sequence of values written
 * in a fixed order: numbers, `null`, strings. Two streams hold them: 16-bit words (a tag per
 * value: `0` the same value as the last one written at this position of a record, `1` a number, `2`
 * `null`, `3` a string — then its length, `0xffff` plus two words when it is that long or longer,
 * then its UTF-16 code units) and doubles (each tagged number, IEEE-754). The digest is the
 * SHA-256 of the two counts (as doubles), the words, the doubles and then any columns (typed arrays
 * written whole, see `column`), all little-endian. The
 * encoding decodes back to exactly one document, so equal documents have equal digests and
 * different documents different bytes.
 *
 * Why binary, "repeat" and columns: formatting numbers as decimal text was most of the cost of
 * hashing a result as JSON; records (a result's units) mostly repeat one another field for field;
 * and columns of figures the engine already holds in typed arrays hash without touching each value.
 */
export class Writer {
  private words: Uint16Array
  private wordCount = 0
  private numbers: Float64Array
  private numberCount = 0
  // The last value written at each position of a record: its kind (0 none yet, 1 number, 2 null,
  // 3 string) and the value, in typed arrays where it can be, and only stored when it changes.
  private kinds: Uint8Array = new Uint8Array(256)
  private lastNumbers: Float64Array = new Float64Array(256)
  private lastStrings: Array<string> = []
  private position = 0

  constructor(expectedValues = 1024) {
    this.words = new Uint16Array(Math.max(64, expectedValues))
    this.numbers = new Float64Array(Math.max(64, expectedValues >> 2))
  }

  /** Starts a record: positions count from 0 again. */
  record(): void {
    this.position = 0
  }

  /** The next position of the current record, growing the per-position arrays when needed. */
  private next(): number {
    const at = this.position++
    if (at === this.kinds.length) {
      this.kinds = growKinds(this.kinds)
      this.lastNumbers = growNumbers(this.lastNumbers)
    }
    return at
  }

  private word(value: number): void {
    if (this.wordCount === this.words.length) this.words = growWords(this.words, this.wordCount + 1)
    this.words[this.wordCount++] = value
  }

  /** A finite number (-0 is written as 0). */
  number(value: number): void {
    const normal = value === 0 ? 0 : value
    const at = this.next()
    if (this.kinds[at] === numberTag && this.lastNumbers[at] === normal) {
      this.word(repeat)
      return
    }
    this.kinds[at] = numberTag
    this.lastNumbers[at] = normal
    this.word(numberTag)
    if (this.numberCount === this.numbers.length) this.numbers = growNumbers(this.numbers)
    this.numbers[this.numberCount++] = normal
  }

  nullableNumber(value: number | null): void {
    if (value === null) this.null()
    else this.number(value)
  }

  boolean(value: boolean): void {
    this.number(value ? 1 : 0)
  }

  null(): void {
    const at = this.next()
    if (this.kinds[at] === nullTag) this.word(repeat)
    else {
      this.kinds[at] = nullTag
      this.word(nullTag)
    }
  }

  string(value: string): void {
    const at = this.next()
    if (this.kinds[at] === stringTag && this.lastStrings[at] === value) {
      this.word(repeat)
      return
    }
    this.kinds[at] = stringTag
    this.lastStrings[at] = value
    const length = value.length
    if (this.wordCount + length + 4 > this.words.length) this.words = growWords(this.words, this.wordCount + length + 4)
    const words = this.words
    let cursor = this.wordCount
    words[cursor++] = stringTag
    if (length < longLength) words[cursor++] = length
    else {
      words[cursor++] = longLength
      words[cursor++] = Math.floor(length / 0x10000)
      words[cursor++] = length % 0x10000
    }
    for (let i = 0; i < length; i++) words[cursor++] = value.charCodeAt(i)
    this.wordCount = cursor
  }

  nullableString(value: string | null): void {
    if (value === null) this.null()
    else this.string(value)
  }

  /** A list of strings: its length, then each. */
  strings(values: ReadonlyArray<string>): void {
    this.number(values.length)
    for (let i = 0; i < values.length; i++) this.string(values[i] ?? "")
  }

  private readonly columns: Array<Float64Array | Uint32Array | Uint8Array> = []

  /**
   * A column of numbers (a typed array: doubles, 32-bit or 8-bit unsigned integers), its kind and
   * length written here and its bytes hashed after the two streams, in the order columns are
   * added. NaN in a column of doubles stands for `null`: every NaN is written as `Number.NaN`'s
   * bits, unless the caller vouches (`canonicalNaN`) that the column holds no other NaN.
   */
  column(values: Float64Array | Uint32Array | Uint8Array, canonicalNaN = false): void {
    this.number(values instanceof Float64Array ? 8 : values instanceof Uint32Array ? 4 : 1)
    this.number(values.length)
    if (values instanceof Float64Array && !canonicalNaN) {
      // One bit pattern for NaN, whatever made it.
      for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) values[i] = Number.NaN
    }
    this.columns.push(values)
  }

  digest(): string {
    const words = new Uint8Array(this.words.buffer, 0, this.wordCount * 2)
    const numbers = new Uint8Array(this.numbers.buffer, 0, this.numberCount * 8)
    const counts = new Uint8Array(new Float64Array([this.wordCount, this.numberCount]).buffer)
    const hash = createHash("sha256")
      .update(littleEndian ? counts : swapped(counts, 8))
      .update(littleEndian ? words : swapped(words, 2))
      .update(littleEndian ? numbers : swapped(numbers, 8))
    for (const column of this.columns) {
      const bytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength)
      hash.update(littleEndian ? bytes : swapped(bytes, column.BYTES_PER_ELEMENT))
    }
    return hash.digest("hex")
  }
}

const growKinds = (array: Uint8Array): Uint8Array => {
  const larger = new Uint8Array(array.length * 2)
  larger.set(array)
  return larger
}

const growWords = (array: Uint16Array, needed: number): Uint16Array => {
  const larger = new Uint16Array(Math.max(needed, array.length * 2))
  larger.set(array)
  return larger
}

const growNumbers = (array: Float64Array): Float64Array => {
  const larger = new Float64Array(array.length * 2)
  larger.set(array)
  return larger
}

/** Whether this platform stores typed arrays little-endian, as the digest is defined. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** The bytes with each `width`-byte word reversed (big-endian platforms). */
const swapped = (bytes: Uint8Array, width: number): Uint8Array => {
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j] ?? 0
  }
  return out
}

// Scratch columns, reused from one digest to the next (digests run one at a time: synchronous,
// never nested), so hashing a large result allocates its temporary columns once per process
// rather than once per result. Each is a view of the right length; callers fill every element.
const float64Pool: Array<Float64Array> = []
const uint32Pool: Array<Uint32Array> = []
const uint8Pool: Array<Uint8Array> = []

/** A scratch column of `length` doubles, distinct from the other slots' (contents undefined). */
export const scratchFloat64 = (slot: number, length: number): Float64Array => {
  let array = float64Pool[slot]
  if (array === undefined || array.length < length) {
    array = new Float64Array(Math.max(length, 2 * (array?.length ?? 0)))
    float64Pool[slot] = array
  }
  return array.subarray(0, length)
}

/** A scratch column of `length` 32-bit unsigned integers (contents undefined). */
export const scratchUint32 = (slot: number, length: number): Uint32Array => {
  let array = uint32Pool[slot]
  if (array === undefined || array.length < length) {
    array = new Uint32Array(Math.max(length, 2 * (array?.length ?? 0)))
    uint32Pool[slot] = array
  }
  return array.subarray(0, length)
}

/** A scratch column of `length` bytes (contents undefined). */
export const scratchUint8 = (slot: number, length: number): Uint8Array => {
  let array = uint8Pool[slot]
  if (array === undefined || array.length < length) {
    array = new Uint8Array(Math.max(length, 2 * (array?.length ?? 0)))
    uint8Pool[slot] = array
  }
  return array.subarray(0, length)
}
