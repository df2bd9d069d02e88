/**
 * Version comparison for `version(x) >= '27.3'`: dotted numeric parts compared as numbers
 * (10.1.0 > 9.9, 2.10 > 2.9), missing parts as 0 (10.1 == 10.1.0). A non-numeric suffix
 * (4.1.4-rc1) sorts before the same version without one, as pre-releases do.
 */
export class Version {
  readonly parts: number[];
  readonly suffix: string;
  constructor(readonly text: string) {
    const m = /^v?(\d+(?:\.\d+)*)(?:[-+~](.*))?$/.exec(text.trim());
    if (!m) throw new Error(`'${text}' is not a version (expected digits and dots, e.g. 27.3.4)`);
    this.parts = m[1]!.split('.').map(Number);
    this.suffix = m[2] ?? '';
  }

  compare(other: Version): number {
    const n = Math.max(this.parts.length, other.parts.length);
    for (let i = 0; i < n; i++) {
      const d = (this.parts[i] ?? 0) - (other.parts[i] ?? 0);
      if (d !== 0) return Math.sign(d);
    }
    if (this.suffix === other.suffix) return 0;
    if (!this.suffix) return 1;
    if (!other.suffix) return -1;
    return this.suffix < other.suffix ? -1 : 1;
  }

  toString(): string {
    return this.text;
  }
}
